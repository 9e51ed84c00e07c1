import { parseStanzas } from './text';
import type { InstalledPackage } from './types';

/**
 * Parses a dpkg status file (`/var/lib/dpkg/status`) or one of distroless's per-package files
 * (`/var/lib/dpkg/status.d/<name>`). Only installed packages count: a package removed but not purged
 * (`deinstall ok config-files`) has no code on disk. Distroless files carry no Status field; their
 * presence means installed.
 */
export function parseDpkgStatus(text: string, ecosystem: string, path: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of parseStanzas(text)) {
    const name = stanza.get('package');
    const version = stanza.get('version');
    const status = stanza.get('status');
    if (!name || !version) continue;
    if (status !== undefined && !/\binstalled$/.test(status.trim())) continue;
    const pkg: InstalledPackage = { ecosystem, name, version, path };
    // `Source: gcc-12 (12.2.0-14)` names the source package and, after a binNMU, its own version.
    const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(stanza.get('source') ?? '');
    pkg.sourceName = source?.[1] ?? name;
    if (source?.[2] && source[2] !== version) pkg.sourceVersion = source[2];
    packages.push(pkg);
  }
  return packages;
}
