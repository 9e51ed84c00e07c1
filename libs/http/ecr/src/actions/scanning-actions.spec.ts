import { createMemoryStorage } from '@cargohold/storage-memory';
import { ociImage, ociIndex } from '@cargohold/storage-testing';
import type { ScanFinding } from '@cargohold/storage-ports';
import { createRepository } from './repository-actions';
import {
  batchGetRepositoryScanningConfiguration,
  describeImageScanFindings,
  getRegistryScanningConfiguration,
  putImageScanningConfiguration,
  putRegistryScanningConfiguration,
  startImageScan,
} from './scanning-actions';
import { actionHarness as harnessOver, type HarnessOptions, NOW, OWNER, REGISTRY } from './spec-helpers';

/** Each spec's own registry over memory storage. */
const actionHarness = (options: HarnessOptions = {}) => harnessOver(createMemoryStorage(), options);

const repo = { registry: REGISTRY, name: 'team/app' };
const MISSING = `sha256:${'0'.repeat(64)}`;
const finding = (n: number): ScanFinding => ({ name: `CVE-2026-${n}`, severity: 'HIGH', attributes: [{ key: 'package_name', value: 'openssl' }] });

describe('PutRegistryScanningConfiguration and GetRegistryScanningConfiguration', () => {
  it('answer BASIC with no rules until a configuration is put', async () => {
    const { run } = actionHarness();

    await expect(run(getRegistryScanningConfiguration, {})).resolves.toEqual({ registryId: OWNER, scanningConfiguration: { scanType: 'BASIC', rules: [] } });
  });

  it('store the configuration and answer it back', async () => {
    const { run } = actionHarness();
    const rules = [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD' }] }];

    const put = await run(putRegistryScanningConfiguration, { scanType: 'BASIC', rules });

    expect(put).toEqual({ registryScanningConfiguration: { scanType: 'BASIC', rules } });
    await expect(run(getRegistryScanningConfiguration, {})).resolves.toEqual({ registryId: OWNER, scanningConfiguration: { scanType: 'BASIC', rules } });
  });

  it('refuse CONTINUOUS_SCAN with BASIC scanning (ValidationException)', async () => {
    const { run } = actionHarness();
    const rules = [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }];

    await expect(run(putRegistryScanningConfiguration, { scanType: 'BASIC', rules })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(run(putRegistryScanningConfiguration, { scanType: 'ENHANCED', rules })).resolves.toBeDefined();
  });

  it('accept at most two rules, each with a repository filter', () => {
    const rule = { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] };

    expect(putRegistryScanningConfiguration.input.safeParse({ rules: [rule, rule] }).success).toBe(true);
    expect(putRegistryScanningConfiguration.input.safeParse({ rules: [rule, rule, rule] }).success).toBe(false);
    expect(putRegistryScanningConfiguration.input.safeParse({ rules: [{ ...rule, repositoryFilters: [] }] }).success).toBe(false);
  });
});

describe('BatchGetRepositoryScanningConfiguration', () => {
  it('answers each repository’s effective configuration, and REPOSITORY_NOT_FOUND for missing ones', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app', imageScanningConfiguration: { scanOnPush: true } });

    const output = await run(batchGetRepositoryScanningConfiguration, { repositoryNames: ['team/app', 'no/such'] });

    expect(output).toEqual({
      scanningConfigurations: [
        {
          repositoryArn: `arn:aws:ecr:us-east-1:${OWNER}:repository/team/app`,
          repositoryName: 'team/app',
          scanOnPush: true,
          scanFrequency: 'SCAN_ON_PUSH',
          appliedScanFilters: [],
        },
      ],
      failures: [{ repositoryName: 'no/such', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' }],
    });
  });

  it('answers the registry rule that applies to a repository', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });
    await run(putRegistryScanningConfiguration, {
      rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD' }] }],
    });

    const [configuration] = (await run(batchGetRepositoryScanningConfiguration, { repositoryNames: ['team/app'] })).scanningConfigurations;

    expect(configuration).toMatchObject({
      scanOnPush: true,
      scanFrequency: 'SCAN_ON_PUSH',
      appliedScanFilters: [{ filter: 'team/*', filterType: 'WILDCARD' }],
    });
  });

  it('asks IAM once for all the repositories and answers AccessDeniedException for one the caller may not read', async () => {
    const { run, iamChecks } = actionHarness({ allows: (_action, _key, name) => name !== 'secret/app' });
    await run(createRepository, { repositoryName: 'team/app' });
    await run(createRepository, { repositoryName: 'secret/app' });

    await expect(run(batchGetRepositoryScanningConfiguration, { repositoryNames: ['team/app', 'secret/app'] })).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(iamChecks).toEqual([['ecr:BatchGetRepositoryScanningConfiguration', REGISTRY, ['team/app', 'secret/app']]]);
  });
});

describe('PutImageScanningConfiguration', () => {
  it('sets scan on push for the repository and echoes it', async () => {
    const { run, registry } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });

    const output = await run(putImageScanningConfiguration, { repositoryName: 'team/app', imageScanningConfiguration: { scanOnPush: true } });

    expect(output).toEqual({ registryId: OWNER, repositoryName: 'team/app', imageScanningConfiguration: { scanOnPush: true } });
    expect((await registry.repositoryAdmin.get(repo)).settings.scanOnPush).toBe(true);
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(putImageScanningConfiguration, { repositoryName: 'team/app', imageScanningConfiguration: { scanOnPush: true } })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });
});

describe('StartImageScan', () => {
  it('starts a scan of an image named by tag and answers IN_PROGRESS', async () => {
    const { run, push, storage } = actionHarness();
    const image = ociImage('amd64');
    await push('team/app', image, 'v1');

    const output = await run(startImageScan, { repositoryName: 'team/app', imageId: { imageTag: 'v1' } });

    expect(output).toEqual({
      registryId: OWNER,
      repositoryName: 'team/app',
      imageId: { imageDigest: image.digest, imageTag: 'v1' },
      imageScanStatus: { status: 'IN_PROGRESS' },
    });
    expect(await storage.scans.get(repo, image.digest)).toMatchObject({ status: 'IN_PROGRESS' });
  });

  it('answers LimitExceededException for a second scan of the image within a day', async () => {
    const { run, push } = actionHarness();
    const image = ociImage('amd64');
    await push('team/app', image, 'v1');
    await run(startImageScan, { repositoryName: 'team/app', imageId: { imageTag: 'v1' } });

    await expect(run(startImageScan, { repositoryName: 'team/app', imageId: { imageDigest: image.digest } })).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
  });

  it('answers UnsupportedImageTypeException for a manifest list', async () => {
    const { run, push } = actionHarness();
    const child = ociImage('amd64');
    await push('team/app', child);
    await push('team/app', ociIndex([child]), 'latest');

    await expect(run(startImageScan, { repositoryName: 'team/app', imageId: { imageTag: 'latest' } })).rejects.toMatchObject({
      name: 'UnsupportedImageTypeException',
    });
  });

  it('answers ImageNotFoundException for a missing image and RepositoryNotFoundException for a missing repository', async () => {
    const { run, push } = actionHarness();
    await push('team/app', ociImage('amd64'), 'v1');

    await expect(run(startImageScan, { repositoryName: 'team/app', imageId: { imageDigest: MISSING } })).rejects.toMatchObject({
      name: 'ImageNotFoundException',
    });
    await expect(run(startImageScan, { repositoryName: 'no/such', imageId: { imageTag: 'v1' } })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });
});

describe('DescribeImageScanFindings', () => {
  async function scanned(findings: readonly ScanFinding[], status: 'COMPLETE' | 'FAILED' = 'COMPLETE') {
    const harness = actionHarness();
    const image = ociImage('amd64');
    await harness.push('team/app', image, 'v1');
    await harness.storage.scans.finish(repo, image.digest, {
      status,
      ...(status === 'FAILED' ? { description: 'layer path escapes the image root' } : {}),
      startedAt: NOW,
      completedAt: NOW,
      vulnerabilitySourceUpdatedAt: NOW,
      findings,
      severityCounts: { HIGH: findings.length },
    });
    return { ...harness, image };
  }

  it('answers the findings of a completed scan with their counts', async () => {
    const { run, image } = await scanned([finding(1), finding(2)]);

    const output = await run(describeImageScanFindings, { repositoryName: 'team/app', imageId: { imageTag: 'v1' } });

    expect(output).toEqual({
      registryId: OWNER,
      repositoryName: 'team/app',
      imageId: { imageDigest: image.digest, imageTag: 'v1' },
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: {
        imageScanCompletedAt: NOW.getTime() / 1000,
        vulnerabilitySourceUpdatedAt: NOW.getTime() / 1000,
        findingSeverityCounts: { HIGH: 2 },
        findings: [finding(1), finding(2)],
      },
      nextToken: undefined,
    });
  });

  it('pages findings with maxResults and nextToken', async () => {
    const { run } = await scanned([1, 2, 3, 4, 5].map(finding));
    const page = (nextToken?: string) => run(describeImageScanFindings, { repositoryName: 'team/app', imageId: { imageTag: 'v1' }, maxResults: 2, nextToken });

    const first = await page();
    const second = await page(first.nextToken);
    const third = await page(second.nextToken);

    expect(first.imageScanFindings.findings.map((f: ScanFinding) => f.name)).toEqual(['CVE-2026-1', 'CVE-2026-2']);
    expect(second.imageScanFindings.findings.map((f: ScanFinding) => f.name)).toEqual(['CVE-2026-3', 'CVE-2026-4']);
    expect(third.imageScanFindings.findings.map((f: ScanFinding) => f.name)).toEqual(['CVE-2026-5']);
    expect(third.nextToken).toBeUndefined();
  });

  it('answers a failed scan’s status and reason without findings', async () => {
    const { run } = await scanned([], 'FAILED');

    const output = await run(describeImageScanFindings, { repositoryName: 'team/app', imageId: { imageTag: 'v1' } });

    expect(output.imageScanStatus).toEqual({ status: 'FAILED', description: 'layer path escapes the image root' });
    expect(output).not.toHaveProperty('imageScanFindings');
  });

  it('answers ScanNotFoundException with ECR’s message for an image never scanned', async () => {
    const { run, push } = actionHarness();
    const image = ociImage('amd64');
    await push('team/app', image, 'v1');

    await expect(run(describeImageScanFindings, { repositoryName: 'team/app', imageId: { imageTag: 'v1' } })).rejects.toMatchObject({
      name: 'ScanNotFoundException',
      message: `Image scan does not exist for the image with 'imageDigest:${image.digest}' in the repository with name 'team/app' in the registry with id '${OWNER}'`,
    });
  });

  it('answers ImageNotFoundException for a missing image', async () => {
    const { run } = await scanned([]);

    await expect(run(describeImageScanFindings, { repositoryName: 'team/app', imageId: { imageTag: 'gone' } })).rejects.toMatchObject({
      name: 'ImageNotFoundException',
    });
  });
});
