import { createHash } from 'node:crypto';
import type { RegistryEvent } from '@cargohold/events';
import { createRegistry } from '@cargohold/registry-core';
import { createMemoryStorage, MemoryRepositoryCreationTemplateStore } from '@cargohold/storage-memory';
import { NO_SECRETS, type RepoRef } from '@cargohold/storage-ports';
import type { CacheRequest } from './cache-requests';
import { CacheSyncer } from './cache-syncer';
import { UpstreamPullError } from './errors';
import { PullThroughRules } from './rule-admin';
import { requestRefreshes } from './scheduled-refresh';
import { specImage, SpecUpstream } from './spec-upstream';

const REGISTRY = '111122223333:us-east-1';
const ALPINE: RepoRef = { registry: REGISTRY, name: 'hub/library/alpine' };
const allowAll = async (access: readonly unknown[]) => access.map(() => true);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The AWS shape: a lazy syncer in the /v2/ function sending requests, a worker's syncer over the same storage taking them. */
async function setup(options: { failRequests?: boolean; refreshIntervalMs?: number } = {}) {
  const storage = createMemoryStorage();
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  const registry = createRegistry({ storage, clock, templates: new MemoryRepositoryCreationTemplateStore() });
  const upstream = new SpecUpstream();
  const rules = new PullThroughRules({
    registries: storage.registries,
    secrets: NO_SECRETS,
    connect: () => upstream,
    insecureUpstreams: ['127.0.0.1:5001'],
    clock,
  });
  await rules.create(REGISTRY, { ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: '127.0.0.1:5001' });
  const requests: CacheRequest[] = [];
  const failedRequests: CacheRequest[] = [];
  const events: RegistryEvent[] = [];
  const common = { registry, storage, rules, clock, events: { record: async (recorded: readonly RegistryEvent[]) => void events.push(...recorded) } };
  const lambda = new CacheSyncer({
    ...common,
    lazyBlobs: true,
    ...(options.refreshIntervalMs !== undefined ? { refreshIntervalMs: options.refreshIntervalMs } : {}),
    cacheRequests: {
      request: async (request) => {
        if (options.failRequests) throw new Error('queue unavailable');
        requests.push(request);
      },
    },
    onCacheRequestFailure: (request) => void failedRequests.push(request),
  });
  const worker = new CacheSyncer(common);
  const read = (reference: string) => registry.manifests.get(ALPINE, reference, undefined);
  const blobFetches = () => upstream.calls.filter((call) => call.startsWith('openBlob')).length;
  return { storage, upstream, lambda, worker, requests, failedRequests, events, read, blobFetches };
}

describe('CacheSyncer in the background (a lazy pull, then the worker)', () => {
  it('requests a first pull it served uncached, and the worker caches it with every blob, so the next pull is served from the cache', async () => {
    const { upstream, lambda, worker, requests, read, events } = await setup();
    const image = specImage('bg-a', 'bg-b');
    upstream.push('library/alpine', '3', image);

    const served = await lambda.beforeManifestRead(ALPINE, '3', allowAll);
    const covered = await worker.cacheReference(ALPINE, requests[0]?.reference ?? '');
    upstream.down = true;
    const next = await lambda.beforeManifestRead(ALPINE, '3', allowAll);

    expect(served?.digest).toBe(image.digest);
    expect(requests).toEqual([{ registry: REGISTRY, repository: ALPINE.name, reference: '3' }]);
    expect(covered).toBe(true);
    expect(next).toBeUndefined();
    expect((await read('3')).bytes.equals(image.bytes)).toBe(true);
    expect(events).toEqual([expect.objectContaining({ type: 'cache.synced', status: 'SUCCESS', digest: image.digest, tag: '3' })]);
  });

  it('stores every blob of the closure before the tag (invariant 3): each is readable from the repository', async () => {
    const { upstream, lambda, worker, storage } = await setup();
    const image = specImage('closure-a', 'closure-b');
    upstream.push('library/alpine', 'v1', image);
    await lambda.beforeManifestRead(ALPINE, 'v1', allowAll);

    await worker.cacheReference(ALPINE, 'v1');

    for (const blob of image.blobs) expect(await storage.links.stat(ALPINE, sha256(blob) as never)).toEqual(expect.objectContaining({ found: true }));
  });

  it('treats a redelivered request as done: the tag is only re-checked, no blob fetched again', async () => {
    const { upstream, worker, blobFetches } = await setup();
    upstream.push('library/alpine', '3', specImage('again-a'));
    await worker.cacheReference(ALPINE, '3');
    const fetched = blobFetches();

    await worker.cacheReference(ALPINE, '3');

    expect(blobFetches()).toBe(fetched);
    expect(upstream.calls.filter((call) => call.startsWith('headManifest'))).toHaveLength(1);
  });

  it('moves a cached tag the upstream moved, as the pull that served the new manifest uncached asked', async () => {
    const { upstream, lambda, worker, requests, read } = await setup({ refreshIntervalMs: 0 });
    upstream.push('library/alpine', '3', specImage('old-bg'));
    await worker.cacheReference(ALPINE, '3');
    const moved = specImage('moved-bg');
    upstream.push('library/alpine', '3', moved);
    const served = await lambda.beforeManifestRead(ALPINE, '3', allowAll);

    await worker.cacheReference(ALPINE, requests[0]?.reference ?? '');

    expect(served?.digest).toBe(moved.digest);
    expect((await read('3')).digest).toBe(moved.digest);
  });

  it('serves the pull when the request cannot be sent, and reports it', async () => {
    const { upstream, lambda, failedRequests } = await setup({ failRequests: true });
    const image = specImage('unsent');
    upstream.push('library/alpine', '3', image);

    const served = await lambda.beforeManifestRead(ALPINE, '3', allowAll);

    expect(served?.digest).toBe(image.digest);
    expect(failedRequests).toEqual([{ registry: REGISTRY, repository: ALPINE.name, reference: '3' }]);
  });

  it('caches nothing from an upstream serving a blob that does not match its digest, and fails the request cleanly', async () => {
    const { upstream, worker, storage } = await setup();
    const image = specImage('bad-bg');
    upstream.push('library/alpine', '3', image);
    upstream.corrupt.add(sha256(image.blobs[1] as Buffer));

    await expect(worker.cacheReference(ALPINE, '3')).rejects.toBeInstanceOf(UpstreamPullError);

    expect(await storage.manifests.resolveTag(ALPINE, '3')).toBeUndefined();
    expect((await storage.blobs.stat(sha256(image.blobs[1] as Buffer) as never)).found).toBe(false);
  });

  it('drops a request for a repository no rule covers, and one the upstream no longer has', async () => {
    const { worker, storage } = await setup();

    expect(await worker.cacheReference({ registry: REGISTRY, name: 'other/alpine' }, '3')).toBe(false);
    expect(await worker.cacheReference(ALPINE, 'gone')).toBe(true);
    expect(await storage.manifests.resolveTag(ALPINE, 'gone')).toBeUndefined();
  });

  it('refreshes on schedule through the worker: one request per cached tag of covered repositories, and the worker moves a moved tag', async () => {
    const { storage, upstream, worker, read } = await setup();
    upstream.push('library/alpine', '3', specImage('sched-old'));
    upstream.push('library/alpine', 'edge', specImage('sched-edge'));
    await worker.cacheReference(ALPINE, '3');
    await worker.cacheReference(ALPINE, 'edge');
    await storage.repositories.create({ registry: REGISTRY, name: 'mine/app' }, new Date());
    const moved = specImage('sched-new');
    upstream.push('library/alpine', '3', moved);
    const sent: CacheRequest[][] = [];

    const report = await requestRefreshes(worker, storage, REGISTRY, async (requests) => void sent.push([...requests]));
    for (const request of sent.flat()) await worker.cacheReference({ registry: request.registry, name: request.repository }, request.reference);

    expect(report).toEqual({ requested: 2 });
    expect(sent).toEqual([
      [
        { registry: REGISTRY, repository: ALPINE.name, reference: '3' },
        { registry: REGISTRY, repository: ALPINE.name, reference: 'edge' },
      ],
    ]);
    expect((await read('3')).digest).toBe(moved.digest);
  });
});
