import { parseStanzas } from './text';
import type { InstalledPackage } from './types';

/**
 * An installed distribution's core metadata (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, or an
 * `*.egg-info` file): RFC 822 headers up to the first blank line, of which `Name` and `Version` matter.
 */
export function parsePythonMetadata(text: string, path: string): InstalledPackage[] {
  const headers = parseStanzas(text.split(/\r?\n\r?\n/, 1)[0] ?? '')[0];
  const name = headers?.get('name');
  const version = headers?.get('version');
  return name && version ? [{ ecosystem: 'PyPI', name, version, path }] : [];
}

export function isPythonMetadata(path: string): boolean {
  return /\/[^/]+\.dist-info\/METADATA$/.test(path) || /\/[^/]+\.egg-info(?:\/PKG-INFO)?$/.test(path);
}

/** PEP 503 normalized name: advisories and installers may spell `Foo_Bar` as `foo-bar`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
