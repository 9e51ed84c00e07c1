import { ALPINE_3_19_INSTALLED } from '../spec-fixtures/package-databases';
import { parseApkInstalled } from './apk';

describe('parseApkInstalled', () => {
  it('lists packages with their origin, ignoring file records', () => {
    const packages = parseApkInstalled(ALPINE_3_19_INSTALLED, 'Alpine:v3.19', '/lib/apk/db/installed');

    expect(packages).toEqual([
      { ecosystem: 'Alpine:v3.19', name: 'musl', version: '1.2.4_git20230717-r4', sourceName: 'musl', path: '/lib/apk/db/installed' },
      { ecosystem: 'Alpine:v3.19', name: 'busybox', version: '1.36.1-r15', sourceName: 'busybox', path: '/lib/apk/db/installed' },
      { ecosystem: 'Alpine:v3.19', name: 'libcrypto3', version: '3.1.4-r5', sourceName: 'openssl', path: '/lib/apk/db/installed' },
      { ecosystem: 'Alpine:v3.19', name: 'libssl3', version: '3.1.4-r5', sourceName: 'openssl', path: '/lib/apk/db/installed' },
    ]);
  });

  it('reads a last record without a trailing blank line, and CRLF files', () => {
    expect(parseApkInstalled('P:zlib\r\nV:1.3.1-r0\r\no:zlib', 'Alpine:v3.19', '/x')).toHaveLength(1);
  });
});
