import type { OsInfo } from './types';

/**
 * Parses os-release(5): `KEY=value` lines whose values may be quoted with shell rules; comments and
 * blank lines ignored. Returns undefined without an `ID`.
 */
export function parseOsRelease(text: string): OsInfo | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) fields.set(match[1] as string, unquote((match[2] as string).trim()));
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const info: OsInfo = { id: id.toLowerCase() };
  const versionId = fields.get('VERSION_ID');
  const codename = fields.get('VERSION_CODENAME');
  const prettyName = fields.get('PRETTY_NAME');
  if (versionId) info.versionId = versionId;
  if (codename) info.versionCodename = codename;
  if (prettyName) info.prettyName = prettyName;
  return info;
}

/** OSV's names for distributions: `Debian:12`, `Ubuntu:22.04`, `Alpine:v3.19`. */
const OSV_DISTRIBUTIONS: Readonly<Record<string, (versionId: string) => string>> = {
  debian: (v) => `Debian:${v.split('.')[0]}`,
  ubuntu: (v) => `Ubuntu:${v}`,
  alpine: (v) => `Alpine:v${v.split('.').slice(0, 2).join('.').replace(/_.*$/, '')}`,
};

/**
 * The OSV ecosystem that OS packages of this distribution are published under. Without a known
 * distribution the package manager's name stands in, which no advisory database uses: such packages are
 * listed but never matched, rather than matched against another distribution's advisories.
 */
export function osEcosystem(os: OsInfo | undefined, manager: 'dpkg' | 'apk'): string {
  const release = os && OSV_DISTRIBUTIONS[os.id];
  if (!os || !release) return manager;
  return os.versionId ? release(os.versionId) : release('').replace(/:v?$/, '');
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return value;
}
