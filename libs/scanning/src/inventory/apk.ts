import type { InstalledPackage } from './types';

/**
 * Parses apk's installed database (`/lib/apk/db/installed`): one record per package, separated by blank
 * lines, one `K:value` field per line (`P` name, `V` version, `o` origin, the source package whose
 * advisories cover it).
 */
export function parseApkInstalled(text: string, ecosystem: string, path: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let fields = new Map<string, string>();
  const flush = (): void => {
    const name = fields.get('P');
    const version = fields.get('V');
    if (name && version) packages.push({ ecosystem, name, version, sourceName: fields.get('o') || name, path });
    fields = new Map();
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush();
    } else if (line[1] === ':') {
      const key = line[0] as string;
      if (!fields.has(key)) fields.set(key, line.slice(2).trim());
    }
  }
  flush();
  return packages;
}
