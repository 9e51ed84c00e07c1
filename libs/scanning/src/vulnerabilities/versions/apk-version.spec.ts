import { compareApkVersions, isValidApkVersion } from './apk-version';

const ASCENDING: [string, string, string][] = [
  ['alpha before beta', '1.0_alpha', '1.0_beta'],
  ['beta before pre', '1.0_beta', '1.0_pre'],
  ['pre before rc', '1.0_pre', '1.0_rc'],
  ['rc before the release', '1.0_rc1', '1.0'],
  ['the release before cvs', '1.0', '1.0_cvs'],
  ['cvs before svn', '1.0_cvs', '1.0_svn'],
  ['svn before git', '1.0_svn', '1.0_git'],
  ['git before hg', '1.0_git', '1.0_hg'],
  ['hg before p', '1.0_hg', '1.0_p1'],
  ['suffix numbers compare numerically', '1.0_alpha2', '1.0_alpha10'],
  ['a bare version before its first revision', '1.0', '1.0-r1'],
  ['revisions compare numerically', '3.1.4-r5', '3.1.4-r6'],
  ['revision 15 before 16', '1.36.1-r15', '1.36.1-r16'],
  ['a new upstream wins over any revision', '3.1.4-r6', '3.1.5-r0'],
  ['a letter after the release', '1.0', '1.0a'],
  ['letters in order', '1.0a', '1.0b'],
  ['a further digit after a letter', '1.0a', '1.0.1'],
  ['a git snapshot after the release it follows', '1.2.4-r4', '1.2.4_git20230717-r4'],
  ['a git snapshot before the next release', '1.2.4_git20230717-r4', '1.2.5'],
  ['leading zeros compare as strings', '1.01', '1.1'],
  ['leading zeros compare as strings (longer)', '1.001', '1.01'],
  ['digits compare numerically', '1.9', '1.10'],
  ['more components after fewer', '1.2', '1.2.1'],
];

describe('compareApkVersions', () => {
  it.each(ASCENDING)('orders %s: %s < %s', (_why, a, b) => {
    expect(compareApkVersions(a, b)).toBeLessThan(0);
    expect(compareApkVersions(b, a)).toBeGreaterThan(0);
  });

  it('treats identical versions as equal', () => {
    expect(compareApkVersions('1.2.4_git20230717-r4', '1.2.4_git20230717-r4')).toBe(0);
    expect(compareApkVersions('3.1.4-r5', '3.1.4-r5')).toBe(0);
  });
});

describe('isValidApkVersion', () => {
  it.each(['1.0', '1.2.4_git20230717-r4', '3.1.4-r5', '1.0a_rc1_p2-r3', '2.0~abc123-r0'])('accepts %s', (v) => {
    expect(isValidApkVersion(v)).toBe(true);
  });

  it.each(['', 'abc', '1.0-foo', '1.0_beta_foo', '1..0', '1.0-r1-r2'])('refuses %j', (v) => {
    expect(isValidApkVersion(v)).toBe(false);
  });
});
