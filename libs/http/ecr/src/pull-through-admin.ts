import type { PullThroughCacheRuleRecord, PullThroughRuleInput } from '@cargohold/storage-ports';
import { AwsError } from './aws-errors';

/**
 * The pull-through cache rules the ECR actions manage (implemented by @cargohold/pull-through, wired by
 * the composition root). Errors are RegistryErrors the action table maps to ECR's exceptions.
 */
export interface PullThroughCacheAdmin {
  create(registry: string, input: PullThroughRuleInput): Promise<PullThroughCacheRuleRecord>;
  describe(
    registry: string,
    prefixes: readonly string[] | undefined,
    limit: number,
    after?: string,
  ): Promise<{ rules: PullThroughCacheRuleRecord[]; next?: string }>;
  update(registry: string, prefix: string, change: Pick<PullThroughRuleInput, 'credentialArn' | 'customRoleArn'>): Promise<PullThroughCacheRuleRecord>;
  delete(registry: string, prefix: string): Promise<PullThroughCacheRuleRecord>;
  validate(registry: string, prefix: string): Promise<{ rule: PullThroughCacheRuleRecord; isValid: boolean; failure?: string }>;
}

const unavailable = async (): Promise<never> => {
  throw new AwsError('UnsupportedUpstreamRegistryException', 'Pull through cache rules are not available in this deployment');
};

/** A deployment without the cache-syncer: no rule exists and none can be created. */
export const NO_PULL_THROUGH_CACHE: PullThroughCacheAdmin = {
  create: unavailable,
  describe: async () => ({ rules: [] }),
  update: unavailable,
  delete: unavailable,
  validate: unavailable,
};
