import type { ManifestStore, RepoRef, RepositoryStore } from '@cargohold/storage-ports';
import type { RegistryLimits } from './config';
import { PaginationInvalidError } from './errors';
import type { RepositoryResolver } from './repositories';

/** A page request as parsed from `?n=&last=`: n is undefined when the client sent none. */
export interface PageRequest {
  readonly n?: number;
  readonly last?: string;
}

/** A page of names in byte order; `next` is the `last` value of the following page, if there may be one. */
export interface NamePage {
  readonly items: string[];
  readonly limit: number;
  readonly next?: string;
}

/** Tags list and catalog: keyset pagination with a hard cap on `n` (no unbounded pages). */
export class ListingService {
  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly repositoryStore: RepositoryStore,
    private readonly manifests: ManifestStore,
    private readonly limits: RegistryLimits,
  ) {}

  async tags(repo: RepoRef, page: PageRequest): Promise<NamePage> {
    await this.repositories.require(repo);
    return this.paginate(page, (last, limit) => this.manifests.listTags(repo, last === undefined ? { limit } : { last, limit }));
  }

  async catalog(registry: string, page: PageRequest): Promise<NamePage> {
    return this.paginate(page, (last, limit) => this.repositoryStore.list(registry, last === undefined ? { limit } : { last, limit }));
  }

  private async paginate(page: PageRequest, fetch: (last: string | undefined, limit: number) => Promise<string[]>): Promise<NamePage> {
    const limit = page.n ?? this.limits.maxPageSize;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new PaginationInvalidError('n must be a non-negative integer');
    if (limit > this.limits.maxPageSize) {
      throw new PaginationInvalidError(`n must not exceed ${this.limits.maxPageSize}`);
    }
    if (limit === 0) return { items: [], limit };
    const items = await fetch(page.last, limit + 1);
    if (items.length <= limit) return { items, limit };
    const shown = items.slice(0, limit);
    return { items: shown, limit, next: shown[shown.length - 1] as string };
  }
}
