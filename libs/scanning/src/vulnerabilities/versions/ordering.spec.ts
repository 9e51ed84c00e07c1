import { orderingForEcosystem, PEP440_ORDERING, SEMVER_ORDERING } from './ordering';

describe('version orderings', () => {
  it('picks each ecosystem its own ordering, releases included', () => {
    expect(orderingForEcosystem('Debian:12')?.name).toBe('dpkg');
    expect(orderingForEcosystem('Ubuntu:22.04:LTS')?.name).toBe('dpkg');
    expect(orderingForEcosystem('Alpine:v3.19')?.name).toBe('apk');
    expect(orderingForEcosystem('npm')?.name).toBe('semver');
    expect(orderingForEcosystem('PyPI')?.name).toBe('pep440');
    expect(orderingForEcosystem('Hex')).toBeUndefined();
  });

  describe('semver', () => {
    it('orders prereleases before their release', () => {
      expect(SEMVER_ORDERING.compare('4.17.21-rc.1', '4.17.21')).toBe(-1);
      expect(SEMVER_ORDERING.compare('4.17.20', '4.17.21')).toBe(-1);
    });

    it('reads loose and partial versions without dropping a prerelease', () => {
      expect(SEMVER_ORDERING.compare('v1.2.3', '1.2.3')).toBe(0);
      expect(SEMVER_ORDERING.compare('1.2', '1.2.0')).toBe(0);
      expect(SEMVER_ORDERING.compare('1.2.3-beta', '1.2.3')).toBe(-1);
    });

    it('refuses what is not a version instead of guessing', () => {
      expect(SEMVER_ORDERING.compare('latest', '1.0.0')).toBeUndefined();
      expect(SEMVER_ORDERING.compare('1.2.3.4.5', '1.0.0')).toBeUndefined();
    });
  });

  describe('PEP 440', () => {
    it('orders pre-, post- and dev releases', () => {
      expect(PEP440_ORDERING.compare('1.26.5', '1.26.17')).toBe(-1);
      expect(PEP440_ORDERING.compare('2.0.0rc1', '2.0.0')).toBe(-1);
      expect(PEP440_ORDERING.compare('2.0.0.post1', '2.0.0')).toBe(1);
      expect(PEP440_ORDERING.compare('2.0.0.dev1', '2.0.0a1')).toBe(-1);
      expect(PEP440_ORDERING.compare('1.0', '1.0.0')).toBe(0);
    });

    it('refuses what is not a version', () => {
      expect(PEP440_ORDERING.compare('not-a-version', '1.0')).toBeUndefined();
    });
  });
});
