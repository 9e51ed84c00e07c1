import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  GetRegistryScanningConfigurationCommand,
  PutImageScanningConfigurationCommand,
  PutRegistryScanningConfigurationCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  StartImageScanCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { newEvent } from '@cargohold/events';
import { importVulnerabilities } from '@cargohold/scanning-service';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';
import { awsErrorName, ecrClient } from './testing/ecr-client';
import { findingsWhenDone } from './testing/scan-polling';
import { pushFilesImage } from './testing/image-builder';
import { startTestServer, type TestServer } from './testing/test-server';
import { DPKG_STATUS, OPENSSL_ADVISORY, OS_RELEASE, ZLIB_ADVISORY } from './testing/vulnerability-fixtures';

const DEBIAN_LAYER = { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': DPKG_STATUS };

describe('scanning on push, through the event path', () => {
  let t: TestServer;
  let ecr: ECRClient;
  let osvDir: string;
  beforeAll(async () => {
    t = await startTestServer();
    ecr = ecrClient(t.server.url);
    osvDir = await mkdtemp(join(tmpdir(), 'cargohold-osv-'));
    await writeFile(join(osvDir, 'DEBIAN-CVE-2023-5678.json'), JSON.stringify(OPENSSL_ADVISORY));
    await writeFile(join(osvDir, 'DEBIAN-CVE-2022-37434.json'), JSON.stringify(ZLIB_ADVISORY));
    const metadata = openSqliteMetadata(join(t.dataDir, 'metadata.db'));
    try {
      expect(await importVulnerabilities(osvDir, metadata.vulnerabilities)).toMatchObject({ read: 2, stored: 2, rejected: [] });
    } finally {
      await metadata.close();
    }
  });
  afterAll(async () => {
    ecr.destroy();
    await t.stop();
    await rm(osvDir, { recursive: true, force: true });
  });

  it('scans an image pushed to a scan-on-push repository and reports findings as ECR does', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/debian', imageScanningConfiguration: { scanOnPush: true } }));
    const digest = await pushFilesImage(t.client, 'scan/debian', 'v1', [DEBIAN_LAYER]);
    const out = await findingsWhenDone(ecr, 'scan/debian', 'v1');
    expect(out.imageScanStatus?.status).toBe('COMPLETE');
    expect(out.imageId).toEqual({ imageDigest: digest, imageTag: 'v1' });
    expect(out.imageScanFindings?.findingSeverityCounts).toEqual({ MEDIUM: 1 });
    expect(out.imageScanFindings?.findings).toEqual([
      expect.objectContaining({
        name: 'CVE-2023-5678',
        severity: 'MEDIUM',
        attributes: expect.arrayContaining([
          { key: 'package_name', value: 'openssl' },
          { key: 'package_version', value: '3.0.11-1~deb12u2' },
          { key: 'CVSS3_VECTOR', value: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' },
        ]),
      }),
    ]);
    const details = await ecr.send(new DescribeImagesCommand({ repositoryName: 'scan/debian', imageIds: [{ imageTag: 'v1' }] }));
    expect(details.imageDetails?.[0]?.imageScanStatus?.status).toBe('COMPLETE');
    expect(details.imageDetails?.[0]?.imageScanFindingsSummary?.findingSeverityCounts).toEqual({ MEDIUM: 1 });
  });

  it('does not scan without scan-on-push, then scans once on StartImageScan, at most once a day', async () => {
    const digest = await pushFilesImage(t.client, 'scan/manual', 'v1', [DEBIAN_LAYER]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await awsErrorName(() => ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/manual', imageId: { imageDigest: digest } })))).toBe(
      'ScanNotFoundException',
    );
    const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/manual', imageId: { imageTag: 'v1' } }));
    expect(started.imageScanStatus?.status).toBe('IN_PROGRESS');
    expect((await findingsWhenDone(ecr, 'scan/manual', 'v1')).imageScanStatus?.status).toBe('COMPLETE');
    expect(await awsErrorName(() => ecr.send(new StartImageScanCommand({ repositoryName: 'scan/manual', imageId: { imageTag: 'v1' } })))).toBe(
      'LimitExceededException',
    );
  });

  it('ignores a duplicate push event: no second scan', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/dupe', imageScanningConfiguration: { scanOnPush: true } }));
    const digest = await pushFilesImage(t.client, 'scan/dupe', 'v1', [DEBIAN_LAYER]);
    const first = await findingsWhenDone(ecr, 'scan/dupe', 'v1');
    const metadata = openSqliteMetadata(join(t.dataDir, 'metadata.db'));
    try {
      const pushedAt = new Date(Date.now() - 60_000);
      const duplicate = newEvent(
        'image.pushed',
        { registry: '000000000000:us-east-1', repository: 'scan/dupe', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['v1'] },
        pushedAt,
        '0b8b7c6e-3f0a-4c55-9d7e-1d2f3a4b5c6d',
      );
      await metadata.outbox.append([duplicate]);
    } finally {
      await metadata.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 800));
    const again = await findingsWhenDone(ecr, 'scan/dupe', 'v1');
    expect(again.imageScanFindings?.imageScanCompletedAt).toEqual(first.imageScanFindings?.imageScanCompletedAt);
  });

  it('ends a scan of a hostile layer as FAILED with a reason, and the image stays pullable', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/hostile', imageScanningConfiguration: { scanOnPush: true } }));
    await pushFilesImage(t.client, 'scan/hostile', 'v1', [{ '../../etc/passwd': 'root:x:0:0' }]);
    const out = await findingsWhenDone(ecr, 'scan/hostile', 'v1');
    expect(out.imageScanStatus?.status).toBe('FAILED');
    expect(out.imageScanStatus?.description).toMatch(/\S/);
    expect((await t.client.send('GET', '/v2/scan/hostile/manifests/v1')).status).toBe(200);
  });

  it('manages scanning configuration with ECR names and shapes: registry rules and scanOnPush', async () => {
    expect(await ecr.send(new GetRegistryScanningConfigurationCommand({}))).toMatchObject({
      registryId: '000000000000',
      scanningConfiguration: { scanType: 'BASIC', rules: [] },
    });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'config/ruled' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'config/own' }));
    const filters = [{ filter: 'config/rul*', filterType: 'WILDCARD' as const }];
    const rules = [{ scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: filters }];
    const put = await ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules }));
    expect(put.registryScanningConfiguration).toEqual({ scanType: 'BASIC', rules });
    expect(
      await awsErrorName(() =>
        ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: filters }] })),
      ),
    ).toBe('ValidationException');

    const own = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'config/own', imageScanningConfiguration: { scanOnPush: true } }));
    expect(own).toMatchObject({ registryId: '000000000000', repositoryName: 'config/own', imageScanningConfiguration: { scanOnPush: true } });

    const batch = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['config/ruled', 'config/own', 'config/none'] }));
    expect(batch.scanningConfigurations).toEqual([
      expect.objectContaining({ repositoryName: 'config/ruled', scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: filters }),
      expect.objectContaining({ repositoryName: 'config/own', scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] }),
    ]);
    expect(batch.failures).toEqual([{ repositoryName: 'config/none', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' }]);

    // A repository matched by the registry rule is scanned on push without its own setting.
    await pushFilesImage(t.client, 'config/ruled', 'v1', [DEBIAN_LAYER]);
    expect((await findingsWhenDone(ecr, 'config/ruled', 'v1')).imageScanStatus?.status).toBe('COMPLETE');
  });
});
