import { LayerSourceError } from './errors';
import { scanImage, type ImageLayer, type ScanResult } from './scan-image';
import { ALL_RECORDS } from './spec-fixtures/osv-records';
import {
  ALPINE_3_19_INSTALLED,
  ALPINE_3_19_OS_RELEASE,
  DEBIAN_12_DPKG_STATUS,
  DEBIAN_12_OS_RELEASE,
  PACKAGE_LOCK_V3,
  URLLIB3_METADATA,
} from './spec-fixtures/package-databases';
import { DOCKER_LAYER, gzipLayer, gzipStream, layer, tarball, ustarHeader, type TarEntrySpec } from './spec-helpers';
import { InMemoryVulnerabilityIndex } from './vulnerabilities/vulnerability-index';

const vulnerabilities = new InMemoryVulnerabilityIndex(ALL_RECORDS);

const debianBase: TarEntrySpec[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
  { name: 'usr/lib/os-release', content: DEBIAN_12_OS_RELEASE },
  { name: 'var/lib/dpkg/status', content: DEBIAN_12_DPKG_STATUS },
  { name: 'usr/bin/bash', content: '\x7fELF…' },
];

const DIST_PACKAGES = 'usr/lib/python3/dist-packages';
const appLayer: TarEntrySpec[] = [
  { name: 'app/package-lock.json', content: PACKAGE_LOCK_V3 },
  { name: 'app/package.json', content: JSON.stringify({ name: 'orders-api', version: '1.4.0' }) },
  { name: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.20' }) },
  { name: 'app/node_modules/@types/node/package.json', content: JSON.stringify({ name: '@types/node', version: '20.11.5' }) },
  { name: `${DIST_PACKAGES}/urllib3-1.26.5.dist-info/METADATA`, content: URLLIB3_METADATA },
];

async function scan(layers: ImageLayer[], limits = {}): Promise<ScanResult> {
  return scanImage({ layers, vulnerabilities, limits });
}

const finding = (name: string, severity: string, pkg: string, version: string, uri: string, cvss?: [string, string]) =>
  expect.objectContaining({
    name,
    severity,
    uri,
    attributes: [
      { key: 'package_name', value: pkg },
      { key: 'package_version', value: version },
      ...(cvss
        ? [
            { key: 'CVSS3_SCORE', value: cvss[0] },
            { key: 'CVSS3_VECTOR', value: cvss[1] },
          ]
        : []),
    ],
  }) as unknown;

const OPENSSL_DEBIAN = finding('CVE-2023-5678', 'MEDIUM', 'openssl', '3.0.11-1~deb12u2', 'https://security-tracker.debian.org/tracker/CVE-2023-5678', [
  '5.3',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L',
]);
const MINIMIST = finding('CVE-2021-44906', 'CRITICAL', 'minimist', '1.2.5', 'https://nvd.nist.gov/vuln/detail/CVE-2021-44906', [
  '9.8',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
]);
const LODASH = finding('CVE-2021-23337', 'HIGH', 'lodash', '4.17.20', 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337', [
  '7.2',
  'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
]);
const URLLIB3 = finding('CVE-2023-43804', 'MEDIUM', 'urllib3', '1.26.5', 'https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f', [
  '5.9',
  'CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:N',
]);

describe('scanImage', () => {
  describe('a Debian 12 image', () => {
    it('inventories the OS and dpkg packages by their source, through the os-release symlink', async () => {
      const result = await scan([await gzipLayer(debianBase)]);

      expect(result.status).toBe('COMPLETE');
      if (result.status !== 'COMPLETE') return;
      expect(result.os).toEqual({ id: 'debian', versionId: '12', versionCodename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
      expect(result.packages.map((p) => [p.ecosystem, p.name, p.version, p.sourceName])).toEqual([
        ['Debian:12', 'base-files', '12.4+deb12u5', 'base-files'],
        ['Debian:12', 'libc6', '2.36-9+deb12u4', 'glibc'],
        ['Debian:12', 'libssl3', '3.0.11-1~deb12u2', 'openssl'],
        ['Debian:12', 'openssl', '3.0.11-1~deb12u2', 'openssl'],
        ['Debian:12', 'zlib1g', '1:1.2.13.dfsg-1', 'zlib'],
      ]);
    });

    it('reports exactly the advisories that affect it: openssl once, not glibc or zlib (fixed)', async () => {
      const result = await scan([await gzipLayer(debianBase)]);

      expect(result).toMatchObject({ status: 'COMPLETE', findingSeverityCounts: { MEDIUM: 1 } });
      expect(result.status === 'COMPLETE' && result.findings).toEqual([OPENSSL_DEBIAN]);
    });

    it('adds npm and Python findings from an application layer, most severe first, each package once', async () => {
      const result = await scan([await gzipLayer(debianBase), await gzipLayer(appLayer)]);

      expect(result).toMatchObject({ status: 'COMPLETE', findingSeverityCounts: { CRITICAL: 1, HIGH: 1, MEDIUM: 2 } });
      expect(result.status === 'COMPLETE' && result.findings).toEqual([MINIMIST, LODASH, URLLIB3, OPENSSL_DEBIAN]);
    });

    it('does not report a package deleted by a whiteout in an upper layer', async () => {
      const removal = await gzipLayer([{ name: `${DIST_PACKAGES}/.wh.urllib3-1.26.5.dist-info` }]);

      const result = await scan([await gzipLayer(debianBase), await gzipLayer(appLayer), removal]);

      expect(result.status === 'COMPLETE' && result.findings).toEqual([MINIMIST, LODASH, OPENSSL_DEBIAN]);
      expect(result.status === 'COMPLETE' && result.packages.some((p) => p.name === 'urllib3')).toBe(false);
    });

    it('forgets the lower application when an upper layer makes its directory opaque', async () => {
      const rebuilt = await gzipLayer([{ name: 'app/.wh..wh..opq' }, { name: 'app/server.js', content: '' }]);

      const result = await scan([await gzipLayer(debianBase), await gzipLayer(appLayer), rebuilt]);

      expect(result.status === 'COMPLETE' && result.findings).toEqual([URLLIB3, OPENSSL_DEBIAN]);
    });
  });

  describe('an Alpine 3.19 image', () => {
    it('matches apk packages by origin and release: CVE-2024-2511 once for libcrypto3 and libssl3, CVE-2023-5678 already fixed', async () => {
      const image = await gzipLayer(
        [
          { name: 'etc/os-release', content: ALPINE_3_19_OS_RELEASE },
          { name: 'lib/apk/db/installed', content: ALPINE_3_19_INSTALLED },
        ],
        DOCKER_LAYER,
      );

      const result = await scan([image]);

      expect(result).toMatchObject({ status: 'COMPLETE', os: { id: 'alpine', versionId: '3.19.1' }, findingSeverityCounts: { UNTRIAGED: 1 } });
      if (result.status !== 'COMPLETE') return;
      expect(result.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version} (${p.sourceName})`)).toEqual([
        'Alpine:v3.19 musl 1.2.4_git20230717-r4 (musl)',
        'Alpine:v3.19 busybox 1.36.1-r15 (busybox)',
        'Alpine:v3.19 libcrypto3 3.1.4-r5 (openssl)',
        'Alpine:v3.19 libssl3 3.1.4-r5 (openssl)',
      ]);
      expect(result.findings).toEqual([
        {
          name: 'CVE-2024-2511',
          description: expect.stringContaining('unbounded memory growth') as unknown,
          uri: 'https://nvd.nist.gov/vuln/detail/CVE-2024-2511',
          severity: 'UNTRIAGED',
          attributes: [
            { key: 'package_name', value: 'openssl' },
            { key: 'package_version', value: '3.1.4-r5' },
          ],
        },
      ]);
    });
  });

  describe('what it cannot inventory', () => {
    it('reports the OS of an rpm image and marks its SQLite rpm database unsupported', async () => {
      const image = await gzipLayer([
        { name: 'etc/os-release', content: 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.3"\n' },
        { name: 'var/lib/rpm/rpmdb.sqlite', content: 'SQLite format 3\0' },
      ]);

      const result = await scan([image]);

      expect(result).toEqual({
        status: 'COMPLETE',
        os: { id: 'rhel', versionId: '9.3' },
        packages: [],
        unsupported: [{ manager: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite', reason: 'rpm SQLite databases are not supported yet' }],
        findings: [],
        findingSeverityCounts: {},
      });
    });

    it('answers UNSUPPORTED_IMAGE for an image with no OS and no packages', async () => {
      const result = await scan([await gzipLayer([{ name: 'hello', content: '\x7fELF' }])]);

      expect(result).toEqual({ status: 'UNSUPPORTED_IMAGE', reason: expect.stringContaining('not supported') as unknown });
    });

    it('answers UNSUPPORTED_IMAGE for an artifact whose layers are not filesystems', async () => {
      const chart = layer(Buffer.from('chart'), 'application/vnd.cncf.helm.chart.content.v1.tar+gzip');

      expect((await scan([chart])).status).toBe('UNSUPPORTED_IMAGE');
    });

    it('never opens a layer whose media type is not a filesystem (no stream left half-read)', async () => {
      const opened: string[] = [];
      const chart = {
        mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
        open: async () => (
          opened.push('chart'),
          (async function* () {
            yield* [];
          })()
        ),
      };

      expect((await scan([chart])).status).toBe('UNSUPPORTED_IMAGE');
      expect(opened).toEqual([]);
    });
  });

  describe('hostile layers end as FAILED with a reason', () => {
    it.each([
      ['a ../ path', [{ name: '../../../etc/cron.d/evil', content: '* * * * * root sh' }], 'path-escape'],
      ['an absolute path', [{ name: '/etc/passwd', content: 'root::0:0::/:/bin/sh' }], 'absolute-path'],
      ['a hardlink out of the root', [{ name: 'etc/shadow', type: 'link', linkname: '../../../etc/shadow' }], 'link-escape'],
      [
        'a symlink loop on a path the inventory reads',
        [
          { name: 'etc/os-release', type: 'symlink', linkname: '/usr/lib/os-release' },
          { name: 'usr/lib/os-release', type: 'symlink', linkname: '../../etc/os-release' },
        ],
        'symlink-loop',
      ],
    ] as const)('%s', async (_label, entries, code) => {
      const result = await scan([await gzipLayer(debianBase), await gzipLayer(entries)]);

      expect(result).toEqual({ status: 'FAILED', code, reason: expect.any(String) as unknown });
    });

    it('a gzip bomb, stopped at the byte cap', async () => {
      async function* bomb(): AsyncIterable<Uint8Array> {
        yield ustarHeader('var/cache/bomb', 8 * 1024 ** 3 - 1);
        const zeros = Buffer.alloc(1024 * 1024);
        for (;;) yield zeros;
      }
      const image: ImageLayer = { mediaType: DOCKER_LAYER, open: async () => gzipStream(bomb()) };

      const result = await scan([await gzipLayer(debianBase), image], { maxDecompressedBytes: 16 * 1024 ** 2 });

      expect(result).toMatchObject({ status: 'FAILED', code: 'decompressed-bytes-exceeded' });
    });

    it('a million entries, stopped at the entry cap', async () => {
      async function* entries(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < 1_000_000; i++) yield ustarHeader(`junk/${i}`);
      }
      const image: ImageLayer = { mediaType: DOCKER_LAYER, open: async () => gzipStream(entries()) };

      const result = await scan([image], { maxEntries: 5000 });

      expect(result).toMatchObject({ status: 'FAILED', code: 'entry-count-exceeded' });
    });
  });

  it('rejects (to be retried) when a layer cannot be read from storage', async () => {
    const broken: ImageLayer = {
      mediaType: DOCKER_LAYER,
      open: async () =>
        (async function* () {
          yield (await tarball([{ name: 'a' }])).subarray(0, 100);
          throw new Error('socket hang up');
        })(),
    };

    await expect(scan([broken])).rejects.toBeInstanceOf(LayerSourceError);
  });
});
