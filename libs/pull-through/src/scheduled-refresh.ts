import type { RepoRef } from '@cargohold/storage-ports';
import type { CacheRequest } from './cache-requests';
import type { CacheSyncer, CacheSyncerDeps } from './cache-syncer';

const PAGE = 100;

export interface RefreshReport {
  readonly checked: number;
  readonly failed: number;
}

/**
 * The cache-syncer's schedule: every tag of every repository a rule covers in `registry` is re-checked
 * against its upstream (and moved when the upstream moved it), whatever the pull-time interval says.
 * A failing upstream fails only its own tags; the walk goes on. Memory stays bounded: names are paged.
 */
export async function refreshRegistry(
  syncer: CacheSyncer,
  storage: Pick<CacheSyncerDeps['storage'], 'repositories' | 'manifests'>,
  registry: string,
  onFailure: (repo: RepoRef, tag: string, error: unknown) => void = () => undefined,
): Promise<RefreshReport> {
  let checked = 0;
  let failed = 0;
  for await (const { repo, tag } of cachedTags(syncer, storage, registry)) {
    checked++;
    await syncer.refreshTag(repo, tag).catch((error: unknown) => {
      failed++;
      onFailure(repo, tag, error);
    });
  }
  return { checked, failed };
}

/**
 * The schedule where a worker does the re-checks (AWS: the cache-syncer queue, so no single invocation
 * walks and fetches everything within its 15 minutes): one CacheRequest per cached tag of the repositories
 * rules cover, sent in pages; the worker's cacheReference re-checks each and moves the ones the upstream moved.
 */
export async function requestRefreshes(
  syncer: CacheSyncer,
  storage: Pick<CacheSyncerDeps['storage'], 'repositories' | 'manifests'>,
  registry: string,
  send: (requests: readonly CacheRequest[]) => Promise<void>,
): Promise<{ requested: number }> {
  let page: CacheRequest[] = [];
  let requested = 0;
  const flush = async () => {
    if (page.length > 0) await send(page);
    requested += page.length;
    page = [];
  };
  for await (const { repo, tag } of cachedTags(syncer, storage, registry)) {
    page.push({ registry: repo.registry, repository: repo.name, reference: tag });
    if (page.length === PAGE) await flush();
  }
  await flush();
  return { requested };
}

/** Every tag of every repository a rule covers in `registry`, names paged so memory stays bounded. */
async function* cachedTags(
  syncer: CacheSyncer,
  storage: Pick<CacheSyncerDeps['storage'], 'repositories' | 'manifests'>,
  registry: string,
): AsyncGenerator<{ repo: RepoRef; tag: string }> {
  for await (const name of paged((last) => storage.repositories.list(registry, { ...(last ? { last } : {}), limit: PAGE }))) {
    const repo = { registry, name };
    if (!(await syncer.covers(repo))) continue;
    for await (const tag of paged((last) => storage.manifests.listTags(repo, { ...(last ? { last } : {}), limit: PAGE }))) yield { repo, tag };
  }
}

async function* paged(page: (last: string | undefined) => Promise<string[]>): AsyncGenerator<string> {
  let last: string | undefined;
  for (;;) {
    const names = await page(last);
    yield* names;
    if (names.length < PAGE) return;
    last = names[names.length - 1];
  }
}
