import { compare as comparePep440, valid as validPep440 } from '@renovatebot/pep440';
import { coerce, compare as compareSemver, parse as parseSemver, type SemVer } from 'semver';
import { compareApkVersions, isValidApkVersion } from './apk-version';
import { compareDpkgVersions } from './dpkg-version';

/**
 * A total order on one ecosystem's versions. `compare` returns undefined when either version is not a
 * version of this ecosystem: matching then decides nothing rather than guessing.
 */
export interface VersionOrdering {
  readonly name: 'dpkg' | 'apk' | 'semver' | 'pep440';
  compare(a: string, b: string): number | undefined;
}

export const DPKG_ORDERING: VersionOrdering = {
  name: 'dpkg',
  compare: (a, b) => (/^\d/.test(afterEpoch(a)) && /^\d/.test(afterEpoch(b)) ? compareDpkgVersions(a, b) : undefined),
};

export const APK_ORDERING: VersionOrdering = {
  name: 'apk',
  compare: (a, b) => (isValidApkVersion(a) && isValidApkVersion(b) ? compareApkVersions(a, b) : undefined),
};

export const SEMVER_ORDERING: VersionOrdering = {
  name: 'semver',
  compare: (a, b) => {
    const va = toSemver(a);
    const vb = toSemver(b);
    return va && vb ? compareSemver(va, vb) : undefined;
  },
};

export const PEP440_ORDERING: VersionOrdering = {
  name: 'pep440',
  compare: (a, b) => (validPep440(a) !== null && validPep440(b) !== null ? comparePep440(a, b) : undefined),
};

/** OSV ecosystems (the part before `:`) and the ordering their `ECOSYSTEM` ranges use. */
const ECOSYSTEM_ORDERINGS: Readonly<Record<string, VersionOrdering>> = {
  Debian: DPKG_ORDERING,
  Ubuntu: DPKG_ORDERING,
  Alpine: APK_ORDERING,
  Wolfi: APK_ORDERING,
  Chainguard: APK_ORDERING,
  npm: SEMVER_ORDERING,
  PyPI: PEP440_ORDERING,
};

export function orderingForEcosystem(ecosystem: string): VersionOrdering | undefined {
  return ECOSYSTEM_ORDERINGS[ecosystem.split(':')[0] ?? ''];
}

/**
 * Strict semver first; otherwise a loose parse (`v1.2.3`, `=1.2.3`); otherwise coercion of a leading
 * `major[.minor[.patch]]` that keeps any prerelease, so `1.2` reads as `1.2.0` but `1.2.3-rc.1` never
 * reads as the release `1.2.3`.
 */
function toSemver(version: string): SemVer | undefined {
  const trimmed = version.trim();
  return (
    parseSemver(trimmed) ??
    parseSemver(trimmed, { loose: true }) ??
    (/^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(trimmed) ? coerce(trimmed, { includePrerelease: true }) : null) ??
    undefined
  );
}

function afterEpoch(version: string): string {
  const colon = version.indexOf(':');
  return colon >= 0 && /^\d+$/.test(version.slice(0, colon)) ? version.slice(colon + 1) : version;
}
