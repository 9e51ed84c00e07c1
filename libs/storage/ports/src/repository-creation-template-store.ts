import type { Page } from './refs';
import type { ImageTagMutability, RepositorySettings, ResourceTag, TagMutabilityFilter } from './repository-store';

export type TemplateAppliedFor = 'CREATE_ON_PUSH' | 'PULL_THROUGH_CACHE' | 'REPLICATION';

/**
 * A repository creation template (ECR's RepositoryCreationTemplate): the settings a repository gets when
 * ECR creates it for the user (on push, through a pull-through cache, by replication) under `prefix`.
 * Stored whole, one document per (registry, prefix); policies byte-for-byte as sent.
 */
export interface RepositoryCreationTemplate {
  /** A repository namespace (`team`, `team/`) or `ROOT`, which matches every repository. */
  readonly prefix: string;
  readonly description?: string;
  readonly encryptionConfiguration?: RepositorySettings['encryption'];
  readonly resourceTags: readonly ResourceTag[];
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters: readonly TagMutabilityFilter[];
  readonly repositoryPolicy?: string;
  readonly lifecyclePolicy?: string;
  readonly appliedFor: readonly TemplateAppliedFor[];
  readonly customRoleArn?: string;
  /** ISO 8601 (documents are stored as JSON). */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Repository creation templates of each registry.
 *
 * Contract:
 * - `create` stores a new template and answers true; when the registry already has one with that prefix it
 *   answers false and changes nothing.
 * - `update` applies `mutate` atomically (no lost update) and stores its result whole; undefined when there
 *   is no such template. `mutate` may throw to abort, and then nothing changes. The prefix never changes.
 * - `delete` removes the template and answers what it was; undefined when there was none.
 * - `list` returns one registry's templates with a prefix strictly after `page.last`, in byte order of
 *   prefix, at most `page.limit`.
 */
export interface RepositoryCreationTemplateStore {
  create(registry: string, template: RepositoryCreationTemplate): Promise<boolean>;
  get(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined>;
  update(
    registry: string,
    prefix: string,
    mutate: (current: RepositoryCreationTemplate) => RepositoryCreationTemplate,
  ): Promise<RepositoryCreationTemplate | undefined>;
  delete(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined>;
  list(registry: string, page: Page): Promise<RepositoryCreationTemplate[]>;
}
