import { accountOf } from '@cargohold/registry-core';
import type { PullThroughCacheRuleRecord } from '@cargohold/storage-ports';
import * as z from 'zod';
import { defineAction, epochSeconds, type ActionContext } from '../action';
import { invalidParameter } from '../aws-errors';
import { NO_PULL_THROUGH_CACHE } from '../pull-through-admin';
import { MaxResults, NextToken, RegistryId } from '../shapes';

/*
 * Pull-through cache rules, with the fields and constraints of ECR's API reference
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html).
 * Beyond ECR: `upstreamRegistry` may be omitted for any OCI registry at `upstreamRegistryUrl` (host[:port]).
 */
const PREFIX_PATTERN = /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\/?|ROOT)$/;
const Prefix = z
  .string()
  .min(2)
  .max(30)
  .regex(PREFIX_PATTERN, "must satisfy regular expression '^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*/?|ROOT)$'");
const UpstreamRegistry = z.enum([
  'ecr',
  'ecr-public',
  'quay',
  'k8s',
  'docker-hub',
  'github-container-registry',
  'azure-container-registry',
  'gitlab-container-registry',
  'chainguard',
]);
const CredentialArn = z
  .string()
  .min(50)
  .max(612)
  .regex(
    /^arn:aws:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/,
    "must satisfy regular expression '^arn:aws:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\\-pullthroughcache\\/[a-zA-Z0-9\\/_+=.@-]+$'",
  );
const CustomRoleArn = z.string().max(2048);
const Url = z.string().min(1).max(256);

const admin = (context: ActionContext) => context.services.pullThroughCache ?? NO_PULL_THROUGH_CACHE;

/** ECR's PullThroughCacheRule shape. */
function ruleShape(registryId: string, rule: PullThroughCacheRuleRecord) {
  return {
    ecrRepositoryPrefix: rule.ecrRepositoryPrefix,
    upstreamRegistryUrl: rule.upstreamRegistryUrl,
    createdAt: epochSeconds(new Date(rule.createdAt)),
    registryId,
    ...(rule.credentialArn !== undefined ? { credentialArn: rule.credentialArn } : {}),
    ...(rule.customRoleArn !== undefined ? { customRoleArn: rule.customRoleArn } : {}),
    upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix,
    ...(rule.upstreamRegistry !== undefined ? { upstreamRegistry: rule.upstreamRegistry } : {}),
    updatedAt: epochSeconds(new Date(rule.updatedAt)),
  };
}

export const createPullThroughCacheRule = defineAction({
  name: 'CreatePullThroughCacheRule',
  input: z.object({
    ecrRepositoryPrefix: Prefix,
    upstreamRegistryUrl: Url,
    registryId: RegistryId.optional(),
    upstreamRegistry: UpstreamRegistry.optional(),
    credentialArn: CredentialArn.optional(),
    customRoleArn: CustomRoleArn.optional(),
    upstreamRepositoryPrefix: Prefix.optional(),
  }),
  async handle({ registryId, ...input }, context) {
    const key = context.registryKey(registryId);
    const { updatedAt: _updatedAt, ...created } = ruleShape(accountOf(key), await admin(context).create(key, input));
    return created;
  },
});

export const describePullThroughCacheRules = defineAction({
  name: 'DescribePullThroughCacheRules',
  input: z.object({
    registryId: RegistryId.optional(),
    ecrRepositoryPrefixes: z.array(Prefix).min(1).max(100).optional(),
    nextToken: NextToken.optional(),
    maxResults: MaxResults(1000).optional(),
  }),
  async handle(input, context) {
    if (input.ecrRepositoryPrefixes && (input.nextToken || input.maxResults))
      throw invalidParameter('maxResults and nextToken cannot be used with ecrRepositoryPrefixes');
    const key = context.registryKey(input.registryId);
    const page = await admin(context).describe(key, input.ecrRepositoryPrefixes, input.maxResults ?? 100, context.pageToken.open(key, input.nextToken));
    return {
      pullThroughCacheRules: page.rules.map((rule) => ruleShape(accountOf(key), rule)),
      nextToken: context.pageToken.seal(key, page.next),
    };
  },
});

export const updatePullThroughCacheRule = defineAction({
  name: 'UpdatePullThroughCacheRule',
  input: z.object({
    registryId: RegistryId.optional(),
    ecrRepositoryPrefix: Prefix,
    credentialArn: CredentialArn.optional(),
    customRoleArn: CustomRoleArn.optional(),
  }),
  async handle(input, context) {
    if (input.credentialArn === undefined && input.customRoleArn === undefined)
      throw invalidParameter('Either credentialArn or customRoleArn must be specified');
    const key = context.registryKey(input.registryId);
    const rule = await admin(context).update(key, input.ecrRepositoryPrefix, { credentialArn: input.credentialArn, customRoleArn: input.customRoleArn });
    const { ecrRepositoryPrefix, registryId, updatedAt, credentialArn, customRoleArn, upstreamRepositoryPrefix } = ruleShape(accountOf(key), rule);
    return { ecrRepositoryPrefix, registryId, updatedAt, credentialArn, customRoleArn, upstreamRepositoryPrefix };
  },
});

export const deletePullThroughCacheRule = defineAction({
  name: 'DeletePullThroughCacheRule',
  input: z.object({ registryId: RegistryId.optional(), ecrRepositoryPrefix: Prefix }),
  async handle(input, context) {
    const key = context.registryKey(input.registryId);
    const {
      upstreamRegistry: _registry,
      updatedAt: _updatedAt,
      ...deleted
    } = ruleShape(accountOf(key), await admin(context).delete(key, input.ecrRepositoryPrefix));
    return deleted;
  },
});

export const validatePullThroughCacheRule = defineAction({
  name: 'ValidatePullThroughCacheRule',
  input: z.object({ registryId: RegistryId.optional(), ecrRepositoryPrefix: Prefix }),
  async handle(input, context) {
    const key = context.registryKey(input.registryId);
    const { rule, isValid, failure } = await admin(context).validate(key, input.ecrRepositoryPrefix);
    const { ecrRepositoryPrefix, registryId, upstreamRegistryUrl, credentialArn, customRoleArn, upstreamRepositoryPrefix } = ruleShape(accountOf(key), rule);
    return {
      ecrRepositoryPrefix,
      registryId,
      upstreamRegistryUrl,
      credentialArn,
      customRoleArn,
      upstreamRepositoryPrefix,
      isValid,
      ...(failure ? { failure } : {}),
    };
  },
});
