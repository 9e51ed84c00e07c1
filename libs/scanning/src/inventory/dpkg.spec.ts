import { DEBIAN_12_DPKG_STATUS } from '../spec-fixtures/package-databases';
import { parseDpkgStatus } from './dpkg';

describe('parseDpkgStatus', () => {
  it('lists installed packages with their source, skipping removed ones', () => {
    const packages = parseDpkgStatus(DEBIAN_12_DPKG_STATUS, 'Debian:12', '/var/lib/dpkg/status');

    expect(packages.map((p) => `${p.name} ${p.version} ${p.sourceName}`)).toEqual([
      'base-files 12.4+deb12u5 base-files',
      'libc6 2.36-9+deb12u4 glibc',
      'libssl3 3.0.11-1~deb12u2 openssl',
      'openssl 3.0.11-1~deb12u2 openssl',
      'zlib1g 1:1.2.13.dfsg-1 zlib',
    ]);
    expect(packages[1]).toEqual({ ecosystem: 'Debian:12', name: 'libc6', version: '2.36-9+deb12u4', sourceName: 'glibc', path: '/var/lib/dpkg/status' });
  });

  it('keeps the source version of a binNMU, which advisories are written against', () => {
    const stanza = 'Package: libfoo1\nStatus: install ok installed\nSource: foo (1.0-1)\nVersion: 1.0-1+b1\n';

    expect(parseDpkgStatus(stanza, 'Debian:12', '/s')).toEqual([
      { ecosystem: 'Debian:12', name: 'libfoo1', version: '1.0-1+b1', sourceName: 'foo', sourceVersion: '1.0-1', path: '/s' },
    ]);
  });

  it("reads distroless's per-package files, which have no Status field", () => {
    const file = 'Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\nMulti-Arch: same\n';

    expect(parseDpkgStatus(file, 'Debian:12', '/var/lib/dpkg/status.d/libc6')).toHaveLength(1);
  });
});
