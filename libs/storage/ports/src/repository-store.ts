import type { Page, RepoRef } from './refs';

export type ImageTagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';

export interface TagMutabilityFilter {
  readonly filterType: 'WILDCARD';
  readonly filter: string;
}

export interface ResourceTag {
  readonly Key: string;
  readonly Value: string;
}

/** What ECR lets a user configure on a repository; stored as one document per repository. */
export interface RepositorySettings {
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters: readonly TagMutabilityFilter[];
  readonly scanOnPush: boolean;
  readonly encryption: { readonly encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; readonly kmsKey?: string };
  readonly tags: readonly ResourceTag[];
  /** The repository policy exactly as the user sent it (byte-for-byte), if any. */
  readonly policyText?: string;
  /** The lifecycle policy exactly as the user sent it (byte-for-byte), if any. */
  readonly lifecyclePolicyText?: string;
  /** When the sweeper last evaluated the lifecycle policy (ISO 8601): GetLifecyclePolicy's lastEvaluatedAt. */
  readonly lifecycleEvaluatedAt?: string;
  /**
   * The last lifecycle policy preview started: the policy it evaluates and when (ISO 8601). Only the request
   * is stored; its results are evaluated when read (see LifecyclePolicies), so no document grows with the
   * repository.
   */
  readonly lifecyclePreview?: { readonly policyText: string; readonly startedAt: string };
}

export const DEFAULT_REPOSITORY_SETTINGS: RepositorySettings = {
  imageTagMutability: 'MUTABLE',
  imageTagMutabilityExclusionFilters: [],
  scanOnPush: false,
  encryption: { encryptionType: 'AES256' },
  tags: [],
};

export interface Repository {
  readonly registry: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly settings: RepositorySettings;
}

/**
 * Repositories of each registry.
 *
 * Contract:
 * - `create` is idempotent: an existing repository is returned unchanged with `created: false`
 *   (its settings are not overwritten). Omitted settings are DEFAULT_REPOSITORY_SETTINGS.
 * - `update` applies `mutate` to the current settings atomically (no lost update between concurrent
 *   updates: adapters retry or lock) and stores its result wholesale; undefined when there is no such
 *   repository. `mutate` may throw to abort, and then nothing changes.
 * - `list` returns names of one registry strictly after `page.last`, in byte order, at most `page.limit`.
 * - `listRecords` is `list` answering each repository whole (as `get` would), in one page read: the ECR
 *   listing shows every repository's settings.
 * - `delete` removes the repository with every manifest, tag, blob link and upload session recorded
 *   under it (blob bytes are left for garbage collection); it answers false when there was none.
 */
export interface RepositoryStore {
  create(ref: RepoRef, at: Date, settings?: RepositorySettings): Promise<{ created: boolean; repository: Repository }>;
  get(ref: RepoRef): Promise<Repository | undefined>;
  update(ref: RepoRef, mutate: (current: RepositorySettings) => RepositorySettings): Promise<Repository | undefined>;
  list(registry: string, page: Page): Promise<string[]>;
  listRecords(registry: string, page: Page): Promise<Repository[]>;
  delete(ref: RepoRef): Promise<boolean>;
}
