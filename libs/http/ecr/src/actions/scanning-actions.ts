import { ImageArchivedError, ScanNotFoundError, UnsupportedImageTypeError, accountOf } from '@cargohold/registry-core';
import * as z from 'zod';
import type { ManifestRecord, RepoRef } from '@cargohold/storage-ports';
import { defineAction, epochSeconds, NO_VERDICT, type ActionContext } from '../action';
import { accessDenied, AwsError } from '../aws-errors';
import { ImageIdentifier, MaxResults, NextToken, RegistryId, RepositoryName } from '../shapes';

const repo = (input: { repositoryName: string; registryId?: string | undefined }) => input;
const ScanFilters = z
  .array(
    z.object({
      filter: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/),
      filterType: z.literal('WILDCARD'),
    }),
  )
  .max(100);
const Rule = z.object({ scanFrequency: z.enum(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL']), repositoryFilters: ScanFilters.min(1) });

export const putRegistryScanningConfiguration = defineAction({
  name: 'PutRegistryScanningConfiguration',
  input: z.object({ scanType: z.enum(['BASIC', 'ENHANCED']).optional(), rules: z.array(Rule).max(2).optional() }),
  async handle(input, context) {
    const configuration = { scanType: input.scanType ?? 'BASIC', rules: input.rules ?? [] };
    if (configuration.scanType === 'BASIC' && configuration.rules.some((r) => r.scanFrequency === 'CONTINUOUS_SCAN')) {
      throw new AwsError('ValidationException', 'CONTINUOUS_SCAN is only supported with the ENHANCED scan type');
    }
    const stored = await context.registry.scanning.putRegistryConfiguration(context.registryKey(), configuration);
    return { registryScanningConfiguration: stored };
  },
});

export const getRegistryScanningConfiguration = defineAction({
  name: 'GetRegistryScanningConfiguration',
  input: z.object({}),
  async handle(_input, context) {
    const key = context.registryKey();
    return { registryId: accountOf(key), scanningConfiguration: await context.registry.scanning.registryConfiguration(key) };
  },
});

export const batchGetRepositoryScanningConfiguration = defineAction({
  name: 'BatchGetRepositoryScanningConfiguration',
  input: z.object({ repositoryNames: z.array(RepositoryName).min(1).max(25) }),
  async handle(input, context) {
    const scanningConfigurations = [];
    const failures = [];
    const verdicts = await context.decideEach('ecr:BatchGetRepositoryScanningConfiguration', context.registryKey(), input.repositoryNames);
    for (const [index, name] of input.repositoryNames.entries()) {
      const ref = context.repo(name);
      const verdict = verdicts[index] ?? NO_VERDICT;
      if (verdict.decision !== 'Allow') {
        throw accessDenied(context.principal.arn, 'ecr:BatchGetRepositoryScanningConfiguration', context.repositoryArn(ref.registry, name), verdict);
      }
      try {
        const repository = await context.registry.repositoryAdmin.get(ref);
        const config = await context.registry.scanning.repositoryConfiguration(repository);
        scanningConfigurations.push({ repositoryArn: context.repositoryArn(ref.registry, name), repositoryName: name, ...config });
      } catch {
        failures.push({ repositoryName: name, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' });
      }
    }
    return { scanningConfigurations, failures };
  },
});

export const putImageScanningConfiguration = defineAction({
  name: 'PutImageScanningConfiguration',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, imageScanningConfiguration: z.object({ scanOnPush: z.boolean() }) }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const scanOnPush = input.imageScanningConfiguration.scanOnPush;
    await context.registry.repositoryAdmin.update(ref, (current) => ({ ...current, scanOnPush }));
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, imageScanningConfiguration: { scanOnPush } };
  },
});

export const startImageScan = defineAction({
  name: 'StartImageScan',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, imageId: ImageIdentifier }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const { record } = await resolveImage(context, ref, input.imageId);
    if (record.children.length > 0) throw new UnsupportedImageTypeError(record.mediaType);
    // ECR: "The specified image is archived and cannot be scanned" (ImageArchivedException).
    if (record.storageClass === 'ARCHIVE') throw new ImageArchivedError(record.digest, ref.name);
    await context.registry.scanning.startManual(ref, record.digest);
    return {
      registryId: accountOf(ref.registry),
      repositoryName: ref.name,
      imageId: { imageDigest: record.digest, ...(input.imageId.imageTag ? { imageTag: input.imageId.imageTag } : {}) },
      imageScanStatus: { status: 'IN_PROGRESS' },
    };
  },
});

export const describeImageScanFindings = defineAction({
  name: 'DescribeImageScanFindings',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    imageId: ImageIdentifier,
    nextToken: NextToken.optional(),
    maxResults: MaxResults(1000).optional(),
  }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const { record } = await resolveImage(context, ref, input.imageId);
    const scan = await context.registry.scanning.result(ref, record.digest);
    if (!scan) throw new ScanNotFoundError(record.digest, ref.name, accountOf(ref.registry));
    const scope = `${ref.registry}/${ref.name}@${record.digest}`;
    const start = Number(context.pageToken.open(scope, input.nextToken) ?? '0') || 0;
    const limit = input.maxResults ?? 100;
    const page = scan.findings.slice(start, start + limit);
    const more = start + limit < scan.findings.length;
    return {
      registryId: accountOf(ref.registry),
      repositoryName: ref.name,
      imageId: { imageDigest: record.digest, ...(input.imageId.imageTag ? { imageTag: input.imageId.imageTag } : {}) },
      imageScanStatus: { status: scan.status, ...(scan.description ? { description: scan.description } : {}) },
      ...(scan.status === 'COMPLETE'
        ? {
            imageScanFindings: {
              imageScanCompletedAt: epochSeconds(scan.completedAt),
              vulnerabilitySourceUpdatedAt: epochSeconds(scan.vulnerabilitySourceUpdatedAt),
              findingSeverityCounts: scan.severityCounts,
              findings: page,
            },
          }
        : {}),
      nextToken: more ? context.pageToken.seal(scope, String(start + limit)) : undefined,
    };
  },
});

async function resolveImage(
  context: ActionContext,
  ref: RepoRef,
  imageId: { imageDigest?: string | undefined; imageTag?: string | undefined },
): Promise<{ record: ManifestRecord }> {
  await context.registry.repositoryAdmin.get(ref);
  const resolved = await context.registry.images.resolve(ref, {
    ...(imageId.imageDigest ? { imageDigest: imageId.imageDigest } : {}),
    ...(imageId.imageTag ? { imageTag: imageId.imageTag } : {}),
  });
  if (!resolved.ok)
    throw new AwsError(
      'ImageNotFoundException',
      `The image with imageId ${JSON.stringify(imageId)} does not exist within the repository with name '${ref.name}'`,
    );
  return { record: resolved.record };
}
