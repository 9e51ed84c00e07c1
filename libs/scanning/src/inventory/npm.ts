import type { InstalledPackage } from './types';

const NODE_MODULES = 'node_modules/';

/**
 * Packages of an npm lockfile. Version 2 and 3 lockfiles list every installed package under `packages`
 * keyed by its `node_modules/…` path; version 1 nests `dependencies`. The root project (`""`), workspace
 * links and dev-only dependencies are not installed code of the image and are skipped.
 */
export function parsePackageLock(text: string, path: string): InstalledPackage[] {
  const lock = parseJson(text);
  if (!isRecord(lock)) return [];
  const found = new Map<string, InstalledPackage>();
  const add = (name: string, version: unknown): void => {
    if (typeof version !== 'string' || version === '' || /^(file|link|git|https?):/.test(version)) return;
    found.set(`${name}@${version}`, { ecosystem: 'npm', name, version, path });
  };
  if (isRecord(lock['packages'])) {
    for (const [key, entry] of Object.entries(lock['packages'])) {
      if (key === '' || !isRecord(entry) || entry['link'] === true || entry['dev'] === true) continue;
      const at = key.lastIndexOf(NODE_MODULES);
      const name = typeof entry['name'] === 'string' ? entry['name'] : at >= 0 ? key.slice(at + NODE_MODULES.length) : '';
      if (name) add(name, entry['version']);
    }
  } else {
    const walk = (dependencies: unknown): void => {
      if (!isRecord(dependencies)) return;
      for (const [name, entry] of Object.entries(dependencies)) {
        if (!isRecord(entry) || entry['dev'] === true) continue;
        add(name, entry['version']);
        walk(entry['dependencies']);
      }
    };
    walk(lock['dependencies']);
  }
  return [...found.values()];
}

/** A package's own `package.json` inside `node_modules`: what is actually installed. */
export function parseInstalledPackageJson(text: string, path: string): InstalledPackage[] {
  const manifest = parseJson(text);
  if (!isRecord(manifest)) return [];
  const { name, version } = manifest;
  if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) return [];
  return [{ ecosystem: 'npm', name, version, path }];
}

/** `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`. */
export function isInstalledPackageJson(path: string): boolean {
  return /\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
