import type { Page, RepoRef } from './refs';

export interface Repository {
  readonly registry: string;
  readonly name: string;
  readonly createdAt: Date;
}

/**
 * Repositories of each registry.
 *
 * Contract:
 * - `create` is idempotent: an existing repository is returned unchanged with `created: false`.
 * - `list` returns names of one registry strictly after `page.last`, in byte order, at most `page.limit`.
 * - `delete` removes the repository with every manifest, tag, blob link and upload session recorded
 *   under it (blob bytes are left for garbage collection); it answers false when there was none.
 */
export interface RepositoryStore {
  create(ref: RepoRef, at: Date): Promise<{ created: boolean; repository: Repository }>;
  get(ref: RepoRef): Promise<Repository | undefined>;
  list(registry: string, page: Page): Promise<string[]>;
  delete(ref: RepoRef): Promise<boolean>;
}
