import * as z from 'zod';
import { defineAction } from '../action';
import { ImageIdentifier, RegistryId, RepositoryName } from '../shapes';

const Region = z.string().regex(/^[0-9a-z-]{2,25}$/, "must satisfy regular expression '[0-9a-z-]{2,25}'");
const RepositoryPrefix = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;

/**
 * ECR's RepositoryFilter (PREFIX_MATCH), plus cargohold's PREFIX_NOT_MATCH (repositories excluded) and
 * TAG_PREFIX_MATCH (image tags, `*` wildcards). Repository prefixes keep ECR's pattern; tag patterns the
 * tag grammar plus `*`.
 */
const Filter = z
  .object({ filter: z.string().min(2).max(256), filterType: z.enum(['PREFIX_MATCH', 'PREFIX_NOT_MATCH', 'TAG_PREFIX_MATCH']) })
  .refine((f) => (f.filterType === 'TAG_PREFIX_MATCH' ? /^[\w*][\w.*-]*$/.test(f.filter) : RepositoryPrefix.test(f.filter)), {
    message: "must satisfy regular expression '^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$'",
    path: ['filter'],
  });

const Rule = z.object({
  destinations: z.array(z.object({ region: Region, registryId: RegistryId })).max(100),
  repositoryFilters: z.array(Filter).min(1).max(100).optional(),
  /** CloudFormation's DeleteReplication (cargohold extension on the API). */
  deleteReplication: z.object({ enabled: z.boolean() }).optional(),
});

export const putReplicationConfiguration = defineAction({
  name: 'PutReplicationConfiguration',
  input: z.object({ replicationConfiguration: z.object({ rules: z.array(Rule).max(10) }) }),
  async handle(input, context) {
    return { replicationConfiguration: await context.registry.replication.putConfiguration(context.registryKey(), input.replicationConfiguration) };
  },
});

export const describeImageReplicationStatus = defineAction({
  name: 'DescribeImageReplicationStatus',
  input: z.object({ repositoryName: RepositoryName, imageId: ImageIdentifier, registryId: RegistryId.optional() }),
  resource: (input) => input,
  async handle(input, context) {
    const repo = context.repo(input.repositoryName, input.registryId);
    const { digest, tag, statuses } = await context.registry.replication.imageStatus(repo, input.imageId);
    return {
      repositoryName: input.repositoryName,
      imageId: { imageDigest: digest, ...(tag !== undefined ? { imageTag: tag } : {}) },
      replicationStatuses: statuses.map(({ region, registryId, status, failureCode }) => ({
        region,
        registryId,
        status,
        ...(failureCode ? { failureCode } : {}),
      })),
    };
  },
});
