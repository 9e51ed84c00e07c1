import type { ResourceTag } from '@cargohold/storage-ports';
import * as z from 'zod';
import { defineAction, type ActionContext } from '../action';
import { AwsError, invalidParameter } from '../aws-errors';
import { Tag } from '../shapes';

const MAX_TAGS = 50;
const ARN = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/;

/** ECR tags live on repository ARNs; the region and account in the ARN select the registry. */
function parseArn(resourceArn: string): { registryId: string; region: string; repositoryName: string } {
  const match = ARN.exec(resourceArn);
  if (!match) throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
  return { region: match[1] as string, registryId: match[2] as string, repositoryName: match[3] as string };
}

const ResourceArn = z.string().min(1).max(1024);

/**
 * ECR's tag rules, one function for TagResource and for the tags CreateRepository starts with, so a
 * repository can never be created with tags a later TagResource would refuse. InvalidTagParameterException
 * covers lengths ("Tag keys can have a maximum character length of 128 characters, and tag values can have
 * a maximum length of 256 characters"), the reserved `aws:` prefix and a key given twice; TooManyTags is
 * past 50 (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_TagResource.html).
 */
export function checkTags(tags: readonly ResourceTag[]): void {
  const invalid = (message: string) => new AwsError('InvalidTagParameterException', message);
  const seen = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key.length < 1 || Key.length > 128 || Value.length > 256) {
      throw invalid('Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters.');
    }
    if (Key.toLowerCase().startsWith('aws:')) throw invalid(`Tag keys starting with 'aws:' are reserved: ${Key}`);
    if (seen.has(Key)) throw invalid(`Duplicate tag key: ${Key}`);
    seen.add(Key);
  }
  if (tags.length > MAX_TAGS) throw new AwsError('TooManyTagsException', `A repository can have at most ${MAX_TAGS} tags`);
}

const target = (input: { resourceArn: string }) => {
  const arn = parseArn(input.resourceArn);
  return { repositoryName: arn.repositoryName, registryId: arn.registryId, region: arn.region };
};

/** The repository an ARN names, in the caller's region only (a registry is an account in a region). */
function repoOf(input: { resourceArn: string }, context: ActionContext) {
  const { repositoryName, registryId, region } = target(input);
  if (region !== context.region)
    throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'the ARN's region ${region} is not ${context.region}'`);
  return context.repo(repositoryName, registryId);
}

export const tagResource = defineAction({
  name: 'TagResource',
  input: z.object({ resourceArn: ResourceArn, tags: z.array(Tag).max(200) }),
  resource: target,
  async handle(input, context) {
    checkTags(input.tags);
    await context.registry.repositoryAdmin.update(repoOf(input, context), (current) => {
      const merged = new Map(current.tags.map((t) => [t.Key, t.Value]));
      for (const tag of input.tags) merged.set(tag.Key, tag.Value);
      const tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
      checkTags(tags);
      return { ...current, tags };
    });
    return {};
  },
});

export const untagResource = defineAction({
  name: 'UntagResource',
  input: z.object({ resourceArn: ResourceArn, tagKeys: z.array(z.string().min(1).max(128)).max(200) }),
  resource: target,
  async handle(input, context) {
    const drop = new Set(input.tagKeys);
    await context.registry.repositoryAdmin.update(repoOf(input, context), (current) => ({
      ...current,
      tags: current.tags.filter((t) => !drop.has(t.Key)),
    }));
    return {};
  },
});

export const listTagsForResource = defineAction({
  name: 'ListTagsForResource',
  input: z.object({ resourceArn: ResourceArn }),
  resource: target,
  async handle(input, context) {
    const repository = await context.registry.repositoryAdmin.get(repoOf(input, context));
    return { tags: repository.settings.tags };
  },
});
