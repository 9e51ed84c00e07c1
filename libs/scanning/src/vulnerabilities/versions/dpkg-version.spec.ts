import { compareDpkgVersions } from './dpkg-version';

/** Each row reads `a < b`; the table is checked both ways round. */
const ASCENDING: [string, string, string][] = [
  // deb-version(7): `~` sorts before everything, even the end of the string.
  ['~~ before ~~a', '1.0~~', '1.0~~a'],
  ['~~a before ~', '1.0~~a', '1.0~'],
  ['~ before the empty part', '1.0~', '1.0'],
  ['the empty part before a letter', '1.0', '1.0a'],
  ['letters before non-letters', '1.0a', '1.0+'],
  ['a release candidate before its release', '1.0~rc1-1', '1.0-1'],
  ['digits compare numerically', '1.9', '1.10'],
  ['the epoch outweighs everything', '2.0', '1:0.1'],
  ['the revision decides when upstream is equal', '2.36-9+deb12u3', '2.36-9+deb12u4'],
  ['a bookworm backport sorts before the unstable upload', '3.0.11-1~deb12u2', '3.0.11-1'],
  ['a newer upstream wins over any revision', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
  ['zlib in bookworm is after the fix for CVE-2022-37434', '1:1.2.11.dfsg-4.1', '1:1.2.13.dfsg-1'],
  ['a binNMU sorts after its source upload', '1.0-1', '1.0-1+b1'],
  ['a hyphen in upstream: the last one starts the revision', '1.2-3-1', '1.2-3-2'],
];

const EQUAL: [string, string][] = [
  ['1.0', '1.0'],
  ['0:1.0', '1.0'],
  ['1.01', '1.1'],
  ['1.0', '1.0-0'],
];

describe('compareDpkgVersions', () => {
  it.each(ASCENDING)('orders %s: %s < %s', (_why, a, b) => {
    expect(compareDpkgVersions(a, b)).toBeLessThan(0);
    expect(compareDpkgVersions(b, a)).toBeGreaterThan(0);
  });

  it.each(EQUAL)('treats %s and %s as equal', (a, b) => {
    expect(compareDpkgVersions(a, b)).toBe(0);
  });
});
