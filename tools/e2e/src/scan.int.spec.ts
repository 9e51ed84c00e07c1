import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importVulnerabilities } from '@cargohold/scanning-service';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';
import { awsCli, describeWithClients, skopeo } from './clients';
import { buildOciLayout } from './images';
import { startRegistryUnderTest, type RegistryUnderTest } from './registry-under-test';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const DPKG_STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
`;
const ADVISORY = {
  schema_version: '1.6.0',
  id: 'DEBIAN-CVE-2023-5678',
  modified: '2024-02-01T00:00:00Z',
  aliases: ['CVE-2023-5678'],
  summary: 'Generating excessively long X9.42 DH keys or checking excessively long X9.42 DH keys or parameters may be very slow.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }],
  affected: [
    { package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] },
  ],
};

interface Findings {
  imageScanStatus: { status: string; description?: string };
  imageScanFindings?: {
    findingSeverityCounts: Record<string, number>;
    findings: { name: string; severity: string; attributes: { key: string; value: string }[] }[];
  };
}

/** The journey: skopeo pushes, the scan runs through the event path, the AWS CLI reads the findings. */
describeWithClients(['skopeo', 'aws'], 'scan on push, read with aws ecr describe-image-scan-findings', () => {
  let registry: RegistryUnderTest;
  let work: string;
  beforeAll(async () => {
    registry = await startRegistryUnderTest('cargohold');
    work = await mkdtemp(join(tmpdir(), 'cargohold-e2e-scan-'));
    await writeFile(join(work, 'advisory.json'), JSON.stringify(ADVISORY));
    const metadata = openSqliteMetadata(join(registry.dataDir as string, 'metadata.db'));
    try {
      await importVulnerabilities(join(work, 'advisory.json'), metadata.vulnerabilities);
    } finally {
      await metadata.close();
    }
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const ecr = async <T>(args: string[]) => JSON.parse((await awsCli(['ecr', ...args], { endpoint: registry.url })).stdout) as T;

  it('reports the openssl finding of a Debian image pushed with skopeo', async () => {
    await ecr(['create-repository', '--repository-name', 'scan/debian', '--image-scanning-configuration', 'scanOnPush=true']);
    const layout = join(work, 'layout');
    await buildOciLayout(layout, {
      tag: 'v1',
      layers: [
        {
          files: [
            { path: 'etc/os-release', content: OS_RELEASE },
            { path: 'var/lib/dpkg/status', content: DPKG_STATUS },
          ],
        },
      ],
    });
    const creds = `${registry.credentials?.username}:${registry.credentials?.password}`;
    await skopeo(['copy', '--preserve-digests', `oci:${layout}:v1`, `docker://${registry.host}/scan/debian:v1`], { creds });

    let out: Findings | undefined;
    for (let i = 0; i < 100; i++) {
      try {
        out = await ecr<Findings>(['describe-image-scan-findings', '--repository-name', 'scan/debian', '--image-id', 'imageTag=v1']);
        if (out.imageScanStatus.status !== 'IN_PROGRESS') break;
      } catch {
        // ScanNotFoundException until the worker picked the event up
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(out?.imageScanStatus.status).toBe('COMPLETE');
    expect(out?.imageScanFindings?.findingSeverityCounts).toEqual({ MEDIUM: 1 });
    expect(out?.imageScanFindings?.findings).toEqual([
      expect.objectContaining({
        name: 'CVE-2023-5678',
        severity: 'MEDIUM',
        attributes: expect.arrayContaining([
          { key: 'package_name', value: 'openssl' },
          { key: 'package_version', value: '3.0.11-1~deb12u2' },
        ]),
      }),
    ]);
  }, 120_000);
});
