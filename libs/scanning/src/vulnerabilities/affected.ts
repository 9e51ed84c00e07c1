import type { InstalledPackage } from '../inventory/types';
import { normalizePythonName } from '../inventory/python';
import type { OsvAffected, OsvRange, OsvRecord } from './osv';
import { orderingForEcosystem, SEMVER_ORDERING, type VersionOrdering } from './versions/ordering';

/** Distributions publish advisories per source package: match their packages by source name and version. */
const SOURCE_PACKAGE_ECOSYSTEMS = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard']);

/** The name and version an advisory of the package's ecosystem uses for it. */
export function advisoryCoordinates(pkg: InstalledPackage): { ecosystem: string; name: string; version: string } {
  const base = pkg.ecosystem.split(':')[0] ?? '';
  if (SOURCE_PACKAGE_ECOSYSTEMS.has(base)) {
    return { ecosystem: pkg.ecosystem, name: pkg.sourceName ?? pkg.name, version: pkg.sourceVersion ?? pkg.version };
  }
  return { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version };
}

/** Names compare as each ecosystem's registry does: PyPI normalizes them (PEP 503), the others do not. */
export function packageKey(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? normalizePythonName(name) : name;
}

/**
 * Whether the record affects the installed package, per the OSV evaluation rules: any `affected` entry for
 * the package's ecosystem and name whose explicit `versions` list the version, or one of whose `SEMVER` or
 * `ECOSYSTEM` ranges contains it. A withdrawn record affects nothing; `GIT` ranges need commits, not
 * versions, and are skipped; a version the ordering cannot read is not claimed affected.
 */
export function isAffected(record: OsvRecord, pkg: InstalledPackage): boolean {
  if (record.withdrawn !== undefined) return false;
  const { ecosystem, name, version } = advisoryCoordinates(pkg);
  return (record.affected ?? []).some(
    (affected) =>
      sameEcosystem(affected.package.ecosystem, ecosystem) &&
      packageKey(ecosystem, affected.package.name) === packageKey(ecosystem, name) &&
      affectsVersion(affected, ecosystem, version),
  );
}

function affectsVersion(affected: OsvAffected, ecosystem: string, version: string): boolean {
  if (affected.versions?.includes(version)) return true;
  return (affected.ranges ?? []).some((range) => {
    const ordering = range.type === 'SEMVER' ? SEMVER_ORDERING : range.type === 'ECOSYSTEM' ? orderingForEcosystem(ecosystem) : undefined;
    return ordering !== undefined && rangeContains(range, ordering, version);
  });
}

/**
 * The OSV algorithm: walk the events in version order; `introduced` opens the range, `fixed` closes it
 * at that version, `last_affected` closes it after that version. `introduced: "0"` is before everything.
 */
function rangeContains(range: OsvRange, ordering: VersionOrdering, version: string): boolean {
  let affected = false;
  for (const event of sortEvents(range, ordering)) {
    if ('introduced' in event) {
      const cmp = event.introduced === '0' ? 1 : ordering.compare(version, event.introduced);
      if (cmp === undefined) return false;
      if (cmp >= 0) affected = true;
    } else if ('fixed' in event) {
      const cmp = ordering.compare(version, event.fixed);
      if (cmp === undefined) return false;
      if (cmp >= 0) affected = false;
    } else if ('last_affected' in event) {
      const cmp = ordering.compare(version, event.last_affected);
      if (cmp === undefined) return false;
      if (cmp > 0) affected = false;
    }
  }
  return affected;
}

function sortEvents(range: OsvRange, ordering: VersionOrdering): OsvRange['events'] {
  const at = (event: OsvRange['events'][number]): string =>
    'introduced' in event ? event.introduced : 'fixed' in event ? event.fixed : 'last_affected' in event ? event.last_affected : event.limit;
  return [...range.events].sort((x, y) => {
    const a = at(x);
    const b = at(y);
    if (a === b) return 0;
    if ('introduced' in x && a === '0') return -1;
    if ('introduced' in y && b === '0') return 1;
    return ordering.compare(a, b) ?? 0;
  });
}

/**
 * `Debian:12` matches `Debian:12`; a record without a release (`Debian`) does not match a released
 * package, since its versions belong to no release in particular. Ubuntu's `:LTS` qualifier
 * follow the release (`Ubuntu:22.04:LTS` matches `Ubuntu:22.04`).
 */
function sameEcosystem(recordEcosystem: string, packageEcosystem: string): boolean {
  return recordEcosystem === packageEcosystem || recordEcosystem.startsWith(`${packageEcosystem}:`);
}
