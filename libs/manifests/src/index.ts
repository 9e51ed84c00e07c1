export * from './types';
export * from './errors';
export { parseManifest } from './parse-manifest';
export { blobReferences, childManifests, walkDescriptors, referrerDescriptor } from './descriptors';
export { acceptsMediaType } from './accept';
