import { accountOf, type PreviewResult } from '@cargohold/registry-core';
import * as z from 'zod';
import { defineAction, epochSeconds } from '../action';
import { invalidParameter } from '../aws-errors';
import { ImageIds, MaxResults, NextToken, RegistryId, RepositoryName } from '../shapes';

/*
 * Lifecycle policies and their previews, with the fields and limits of ECR's API reference
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html,
 * API_GetLifecyclePolicyPreview.html). The rules themselves are validated by @cargohold/policy.
 */
const LifecyclePolicyText = z.string().min(100).max(30720);
const Target = { registryId: RegistryId.optional(), repositoryName: RepositoryName };
const repo = (input: { repositoryName: string; registryId?: string | undefined }) => input;

export const putLifecyclePolicy = defineAction({
  name: 'PutLifecyclePolicy',
  input: z.object({ ...Target, lifecyclePolicyText: LifecyclePolicyText }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const lifecyclePolicyText = await context.registry.lifecycle.put(ref, input.lifecyclePolicyText);
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, lifecyclePolicyText };
  },
});

export const getLifecyclePolicy = defineAction({
  name: 'GetLifecyclePolicy',
  input: z.object(Target),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    return policyOutput(ref, await context.registry.lifecycle.get(ref));
  },
});

export const deleteLifecyclePolicy = defineAction({
  name: 'DeleteLifecyclePolicy',
  input: z.object(Target),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    return policyOutput(ref, await context.registry.lifecycle.delete(ref));
  },
});

export const startLifecyclePolicyPreview = defineAction({
  name: 'StartLifecyclePolicyPreview',
  input: z.object({ ...Target, lifecyclePolicyText: LifecyclePolicyText.optional() }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const started = await context.registry.lifecycle.startPreview(ref, input.lifecyclePolicyText);
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, lifecyclePolicyText: started.policyText, status: started.status };
  },
});

export const getLifecyclePolicyPreview = defineAction({
  name: 'GetLifecyclePolicyPreview',
  input: z.object({
    ...Target,
    imageIds: ImageIds.optional(),
    nextToken: NextToken.optional(),
    maxResults: MaxResults(100).optional(),
    filter: z.object({ tagStatus: z.enum(['TAGGED', 'UNTAGGED', 'ANY']).optional() }).optional(),
  }),
  resource: repo,
  async handle(input, context) {
    if (input.imageIds && (input.nextToken || input.maxResults)) throw invalidParameter('maxResults and nextToken cannot be used with imageIds');
    const ref = context.repo(input.repositoryName, input.registryId);
    const tagStatus = input.filter?.tagStatus ?? 'ANY';
    const scope = `${ref.registry}/${ref.name}?${tagStatus}`;
    const after = context.pageToken.open(scope, input.nextToken);
    const preview = await context.registry.lifecycle.preview(ref, {
      tagStatus,
      limit: input.maxResults ?? 100,
      ...(input.imageIds ? { imageIds: input.imageIds } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    return {
      registryId: accountOf(ref.registry),
      repositoryName: ref.name,
      lifecyclePolicyText: preview.policyText,
      status: preview.status,
      nextToken: context.pageToken.seal(scope, preview.next),
      previewResults: preview.results.map(previewResult),
      summary: {
        expiringImageTotalCount: preview.summary.expiring,
        ...(preview.summary.transitioning > 0
          ? { transitioningImageTotalCounts: [{ targetStorageClass: 'ARCHIVE', imageTotalCount: preview.summary.transitioning }] }
          : {}),
      },
    };
  },
});

export const updateImageStorageClass = defineAction({
  name: 'UpdateImageStorageClass',
  input: z.object({
    ...Target,
    imageId: z.object({ imageDigest: z.string().min(1).max(1000).optional(), imageTag: z.string().min(1).max(300).optional() }),
    targetStorageClass: z.enum(['STANDARD', 'ARCHIVE']),
  }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const updated = await context.registry.archive.update(ref, input.imageId, input.targetStorageClass);
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, imageId: updated.imageId, imageStatus: updated.imageStatus };
  },
});

/** What GetLifecyclePolicy and DeleteLifecyclePolicy answer: the policy as stored and when it last ran. */
const policyOutput = (ref: { registry: string; name: string }, policy: { policyText: string; lastEvaluatedAt?: Date }) => ({
  registryId: accountOf(ref.registry),
  repositoryName: ref.name,
  lifecyclePolicyText: policy.policyText,
  lastEvaluatedAt: epochSeconds(policy.lastEvaluatedAt),
});

/** ECR's LifecyclePolicyPreviewResult. */
function previewResult({ image, decision }: PreviewResult) {
  return {
    imageDigest: image.record.digest,
    ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
    imagePushedAt: epochSeconds(image.record.pushedAt),
    action: { type: decision.action, ...(decision.targetStorageClass ? { targetStorageClass: decision.targetStorageClass } : {}) },
    appliedRulePriority: decision.rulePriority,
    storageClass: image.record.storageClass ?? 'STANDARD',
  };
}
