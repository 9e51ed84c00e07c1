import manifest from '../package.json';

/** `cargohold --version`: the local server's package version (the bundle inlines the JSON). */
export const VERSION: string = manifest.version;
