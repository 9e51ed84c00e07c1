// OSV records written from real advisories (ids, packages, ranges and vectors as published), with their
// long `details` shortened.
import type { OsvRecord } from '../vulnerabilities/osv';

/** Debian: openssl 3.0.11-1~deb12u2 is before the fix 3.0.13-1~deb12u1: affected. */
export const DEBIAN_OPENSSL_CVE_2023_5678: OsvRecord = {
  id: 'DEBIAN-CVE-2023-5678',
  upstream: ['CVE-2023-5678'],
  modified: '2024-09-18T03:22:27Z',
  published: '2023-11-06T16:15:42Z',
  details: 'Issue summary: Generating excessively long X9.42 DH keys or checking excessively long X9.42 DH keys or parameters may be very slow.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }],
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'openssl', purl: 'pkg:deb/debian/openssl?arch=source' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
    },
    {
      package: { ecosystem: 'Debian:11', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u2' }] }],
    },
  ],
  references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2023-5678' }],
};

/** Debian: "Looking Glass", fixed in 2.36-9+deb12u3; libc6 2.36-9+deb12u4 is not affected. */
export const DEBIAN_GLIBC_CVE_2023_4911: OsvRecord = {
  id: 'DEBIAN-CVE-2023-4911',
  upstream: ['CVE-2023-4911'],
  details: "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.",
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'glibc' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }],
    },
  ],
};

/** Debian: zlib inflateGetHeader overflow, fixed in 1:1.2.11.dfsg-4.1; bookworm's 1:1.2.13.dfsg-1 is not affected. */
export const DEBIAN_ZLIB_CVE_2022_37434: OsvRecord = {
  id: 'DEBIAN-CVE-2022-37434',
  upstream: ['CVE-2022-37434'],
  details: 'zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate in inflate.c via a large gzip header extra field.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'zlib' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2.11.dfsg-4.1' }] }],
    },
  ],
};

/** Alpine: CVE-2023-5678 was fixed in openssl 3.1.4-r1 on v3.19; 3.1.4-r5 is not affected. */
export const ALPINE_OPENSSL_CVE_2023_5678: OsvRecord = {
  id: 'ALPINE-CVE-2023-5678',
  upstream: ['CVE-2023-5678'],
  details: 'Generating excessively long X9.42 DH keys or checking excessively long X9.42 DH keys or parameters may be very slow.',
  affected: [
    {
      package: { ecosystem: 'Alpine:v3.19', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r1' }] }],
    },
  ],
};

/** Alpine: TLSv1.3 session memory growth, fixed in openssl 3.1.4-r6 on v3.19; 3.1.4-r5 is affected. No vector. */
export const ALPINE_OPENSSL_CVE_2024_2511: OsvRecord = {
  id: 'ALPINE-CVE-2024-2511',
  upstream: ['CVE-2024-2511'],
  details: 'Issue summary: Some non-default TLS server configurations can cause unbounded memory growth when processing TLSv1.3 sessions.',
  affected: [
    {
      package: { ecosystem: 'Alpine:v3.19', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r6' }] }],
    },
  ],
};

/** npm: lodash command injection via template, fixed in 4.17.21. */
export const GHSA_LODASH_COMMAND_INJECTION: OsvRecord = {
  id: 'GHSA-35jh-r3h4-6jhm',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  details: '`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
  ],
  references: [
    { type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' },
    { type: 'PACKAGE', url: 'https://github.com/lodash/lodash' },
  ],
  database_specific: { severity: 'HIGH', cwe_ids: ['CWE-77', 'CWE-94'], github_reviewed: true },
};

/** npm: minimist prototype pollution, two ranges: < 0.2.4 and >= 1.0.0 < 1.2.6. */
export const GHSA_MINIMIST_PROTOTYPE_POLLUTION: OsvRecord = {
  id: 'GHSA-xvch-5gv4-984h',
  aliases: ['CVE-2021-44906'],
  summary: 'Prototype Pollution in minimist',
  details: 'Minimist <=1.2.5 is vulnerable to Prototype Pollution via file index.js, function setKey() (lines 69-95).',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'minimist' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.2.4' }] }],
    },
    {
      package: { ecosystem: 'npm', name: 'minimist' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.6' }] }],
    },
  ],
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44906' }],
  database_specific: { severity: 'CRITICAL', github_reviewed: true },
};

/** PyPI: urllib3 Cookie header kept across origins on redirect, fixed in 1.26.17 and 2.0.6. */
export const GHSA_URLLIB3_COOKIE_LEAK: OsvRecord = {
  id: 'GHSA-v845-jxx5-vc9f',
  aliases: ['CVE-2023-43804', 'PYSEC-2023-192'],
  summary: "`Cookie` HTTP header isn't stripped on cross-origin redirects",
  details: "urllib3 doesn't treat the `Cookie` HTTP header special or provide any helpers for managing cookies over HTTP.",
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:N' }],
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'urllib3', purl: 'pkg:pypi/urllib3' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.26.17' }] }],
    },
    {
      package: { ecosystem: 'PyPI', name: 'urllib3', purl: 'pkg:pypi/urllib3' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '2.0.6' }] }],
    },
  ],
  references: [{ type: 'ADVISORY', url: 'https://github.com/urllib3/urllib3/security/advisories/GHSA-v845-jxx5-vc9f' }],
  database_specific: { severity: 'MODERATE' },
};

export const ALL_RECORDS: readonly OsvRecord[] = [
  DEBIAN_OPENSSL_CVE_2023_5678,
  DEBIAN_GLIBC_CVE_2023_4911,
  DEBIAN_ZLIB_CVE_2022_37434,
  ALPINE_OPENSSL_CVE_2023_5678,
  ALPINE_OPENSSL_CVE_2024_2511,
  GHSA_LODASH_COMMAND_INJECTION,
  GHSA_MINIMIST_PROTOTYPE_POLLUTION,
  GHSA_URLLIB3_COOKIE_LEAK,
];
