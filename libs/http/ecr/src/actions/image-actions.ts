import { accountOf, imageStatusOf, type ImageDetail, type ImageId } from '@cargohold/registry-core';
import type { ScanSummary } from '@cargohold/storage-ports';
import * as z from 'zod';
import { defineAction, epochSeconds, type ActionContext } from '../action';
import { invalidParameter } from '../aws-errors';
import { ImageDigest, ImageIds, ImageTag, MaxResults, NextToken, RegistryId, RepositoryName } from '../shapes';

const repo = (input: { repositoryName: string; registryId?: string | undefined }) => input;
const TagStatus = z.enum(['TAGGED', 'UNTAGGED', 'ANY']);
const clean = (id: ImageId) => ({ ...(id.imageDigest ? { imageDigest: id.imageDigest } : {}), ...(id.imageTag ? { imageTag: id.imageTag } : {}) });

function imageDetail(context: ActionContext, registryKey: string, name: string, { record, tags }: ImageDetail) {
  return {
    registryId: accountOf(registryKey),
    repositoryName: name,
    imageDigest: record.digest,
    ...(tags.length > 0 ? { imageTags: tags } : {}),
    imageSizeInBytes: record.imageSizeBytes,
    imagePushedAt: epochSeconds(record.pushedAt),
    ...(record.lastPulledAt ? { lastRecordedPullTime: epochSeconds(record.lastPulledAt) } : {}),
    imageManifestMediaType: record.mediaType,
    ...(record.configMediaType ? { artifactMediaType: record.configMediaType } : {}),
    ...archiveFields(record),
  };
}

/**
 * imageStatus, lastArchivedAt and lastActivatedAt, for an image that was ever archived; an image that never
 * was reports none of them, as before archiving existed (its status is ACTIVE).
 */
function archiveFields(record: ImageDetail['record']) {
  if (record.storageClass === undefined) return {};
  return {
    imageStatus: imageStatusOf(record),
    ...(record.lastArchivedAt ? { lastArchivedAt: epochSeconds(record.lastArchivedAt) } : {}),
    ...(record.lastActivatedAt ? { lastActivatedAt: epochSeconds(record.lastActivatedAt) } : {}),
  };
}

/** DescribeImages' imageScanStatus and imageScanFindingsSummary, when the image was scanned. */
function scanSummary(scan: ScanSummary | undefined) {
  if (!scan) return {};
  return {
    imageScanStatus: { status: scan.status, ...(scan.description ? { description: scan.description } : {}) },
    ...(scan.status === 'COMPLETE'
      ? {
          imageScanFindingsSummary: {
            imageScanCompletedAt: epochSeconds(scan.completedAt),
            vulnerabilitySourceUpdatedAt: epochSeconds(scan.vulnerabilitySourceUpdatedAt),
            findingSeverityCounts: scan.severityCounts,
          },
        }
      : {}),
  };
}

export const listImages = defineAction({
  name: 'ListImages',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    nextToken: NextToken.optional(),
    maxResults: MaxResults(1000).optional(),
    filter: z.object({ tagStatus: TagStatus.optional() }).optional(),
  }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const scope = `${ref.registry}/${ref.name}?${input.filter?.tagStatus ?? 'ANY'}`;
    const page = await context.registry.images.list(
      ref,
      input.filter?.tagStatus ?? 'ANY',
      input.maxResults ?? 100,
      context.pageToken.open(scope, input.nextToken),
    );
    return { imageIds: page.imageIds, nextToken: context.pageToken.seal(scope, page.next) };
  },
});

export const describeImages = defineAction({
  name: 'DescribeImages',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    imageIds: ImageIds.optional(),
    nextToken: NextToken.optional(),
    maxResults: MaxResults(1000).optional(),
    filter: z.object({ tagStatus: TagStatus.optional() }).optional(),
  }),
  resource: repo,
  async handle(input, context) {
    if (input.imageIds && (input.nextToken || input.maxResults)) throw invalidParameter('maxResults and nextToken cannot be used with imageIds');
    const ref = context.repo(input.repositoryName, input.registryId);
    const scope = `${ref.registry}/${ref.name}?${input.filter?.tagStatus ?? 'ANY'}`;
    const after = context.pageToken.open(scope, input.nextToken);
    const page = await context.registry.images.describe(ref, input.imageIds, input.filter?.tagStatus ?? 'ANY', input.maxResults ?? 100, after);
    const scans = await context.registry.scanning.summaries(
      ref,
      page.details.map((detail) => detail.record.digest),
    );
    const imageDetails = page.details.map((detail) => ({
      ...imageDetail(context, ref.registry, ref.name, detail),
      ...scanSummary(scans.get(detail.record.digest)),
    }));
    return { imageDetails, nextToken: context.pageToken.seal(scope, page.next) };
  },
});

export const batchGetImage = defineAction({
  name: 'BatchGetImage',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    imageIds: ImageIds,
    acceptedMediaTypes: z.array(z.string().min(1).max(255)).min(1).max(100).optional(),
  }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const result = await context.registry.images.batchGet(ref, input.imageIds, input.acceptedMediaTypes, context.principal.arn);
    return {
      images: result.images.map((image) => ({
        registryId: accountOf(ref.registry),
        repositoryName: ref.name,
        imageId: image.imageId,
        imageManifest: image.manifest.toString('utf8'),
        imageManifestMediaType: image.mediaType,
      })),
      failures: result.failures.map((f) => ({ ...f, imageId: clean(f.imageId) })),
    };
  },
});

export const batchDeleteImage = defineAction({
  name: 'BatchDeleteImage',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, imageIds: ImageIds }),
  resource: repo,
  async handle(input, context) {
    const result = await context.registry.images.batchDelete(context.repo(input.repositoryName, input.registryId), input.imageIds);
    return { imageIds: result.deleted, failures: result.failures.map((f) => ({ ...f, imageId: clean(f.imageId) })) };
  },
});

export const putImage = defineAction({
  name: 'PutImage',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    imageManifest: z
      .string()
      .min(1)
      .max(4 * 1024 * 1024),
    imageManifestMediaType: z.string().min(1).max(255).optional(),
    imageTag: ImageTag.optional(),
    imageDigest: ImageDigest.optional(),
  }),
  resource: repo,
  errors: { DigestMismatchError: 'ImageDigestDoesNotMatchException', TagInvalidError: 'InvalidParameterException' },
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const bytes = Buffer.from(input.imageManifest, 'utf8');
    const pushed = await context.registry.images.put(ref, bytes, input.imageManifestMediaType, input.imageTag, input.imageDigest);
    return {
      image: {
        registryId: accountOf(ref.registry),
        repositoryName: ref.name,
        imageId: { imageDigest: pushed.digest, ...(input.imageTag ? { imageTag: input.imageTag } : {}) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: pushed.mediaType,
      },
    };
  },
});

export const listImageReferrers = defineAction({
  name: 'ListImageReferrers',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    subjectId: z.object({ imageDigest: ImageDigest }),
    filter: z.object({ artifactTypes: z.array(z.string().min(1).max(255)).min(1).max(5).optional(), artifactStatus: z.string().optional() }).optional(),
    nextToken: NextToken.optional(),
    maxResults: MaxResults(50).optional(),
  }),
  resource: repo,
  iamAction: 'ecr:ListImages',
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const referrers = await context.registry.manifests.referrerRecords(ref, input.subjectId.imageDigest);
    const wanted = input.filter?.artifactTypes;
    const all = referrers
      .filter((r) => !wanted || (r.artifactType !== undefined && wanted.includes(r.artifactType)))
      .map((r) => ({
        digest: r.digest,
        mediaType: r.mediaType,
        ...(r.artifactType ? { artifactType: r.artifactType } : {}),
        size: r.size,
        ...(r.annotations ? { annotations: r.annotations } : {}),
        artifactStatus: 'ACTIVE',
      }));
    const scope = `${ref.registry}/${ref.name}@${input.subjectId.imageDigest}`;
    const after = context.pageToken.open(scope, input.nextToken);
    const start = after === undefined ? 0 : all.findIndex((r) => r.digest > after);
    const limit = input.maxResults ?? 50;
    const page = start < 0 ? [] : all.slice(start, start + limit);
    const more = start >= 0 && start + limit < all.length;
    return { referrers: page, nextToken: more ? context.pageToken.seal(scope, page[page.length - 1]?.digest) : undefined };
  },
});
