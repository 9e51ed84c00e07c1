import { createHash } from 'node:crypto';
import type { RegistryEvent } from '@cargohold/events';
import { createRegistry } from '@cargohold/registry-core';
import { createMemoryStorage, MemoryRepositoryCreationTemplateStore } from '@cargohold/storage-memory';
import { NO_SECRETS, type RepoRef } from '@cargohold/storage-ports';
import { CacheSyncer } from './cache-syncer';
import { refreshRegistry } from './scheduled-refresh';
import { ImportDeniedError, UpstreamPullError } from './errors';
import { PullThroughRules } from './rule-admin';
import { specImage, specIndex, SpecUpstream } from './spec-upstream';

const REGISTRY = '111122223333:us-east-1';
const repo = (name: string): RepoRef => ({ registry: REGISTRY, name });
const ALPINE = repo('hub/library/alpine');
const allowAll = async (access: readonly unknown[]) => access.map(() => true);

async function setup(options: { templates?: MemoryRepositoryCreationTemplateStore; blobMisses?: 'stream' | 'store-first'; lazyBlobs?: boolean } = {}) {
  const storage = createMemoryStorage();
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = { now: () => now };
  const templates = options.templates ?? new MemoryRepositoryCreationTemplateStore();
  const registry = createRegistry({ storage, clock, templates });
  const upstream = new SpecUpstream();
  const rules = new PullThroughRules({
    registries: storage.registries,
    secrets: NO_SECRETS,
    connect: () => upstream,
    insecureUpstreams: ['127.0.0.1:5001'],
    clock,
  });
  await rules.create(REGISTRY, { ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: '127.0.0.1:5001' });
  const events: RegistryEvent[] = [];
  const stale: string[] = [];
  const syncer = new CacheSyncer({
    registry,
    storage,
    rules,
    clock,
    refreshIntervalMs: 60_000,
    ...(options.blobMisses ? { blobMisses: options.blobMisses } : {}),
    ...(options.lazyBlobs ? { lazyBlobs: true } : {}),
    events: { record: async (recorded) => void events.push(...recorded) },
    onStaleServe: (_repo, reference) => void stale.push(reference),
  });
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const read = (ref: RepoRef, reference: string) => registry.manifests.get(ref, reference, undefined);
  return { storage, registry, upstream, syncer, events, stale, advance, read };
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** What the gateway does on a client's blob GET: the blob streamed (and stored) from the upstream. */
async function fill(syncer: CacheSyncer, digest: string): Promise<void> {
  const streamed = await syncer.onBlobMiss(ALPINE, digest, allowAll);
  if (streamed) await drain(streamed.body);
}

describe('CacheSyncer', () => {
  describe('beforeManifestRead', () => {
    it('stores a first pull byte-exact with its blobs and tag, in a repository it creates, and records a SUCCESS event', async () => {
      const { upstream, syncer, read, registry, events } = await setup();
      const image = specImage('layer-a', 'layer-b');
      upstream.push('library/alpine', '3', image);

      await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      const cached = await read(ALPINE, '3');
      expect(cached.digest).toBe(image.digest);
      expect(cached.bytes.equals(image.bytes)).toBe(true);
      const layer = await registry.blobs.open(ALPINE, JSON.parse(image.bytes.toString()).layers[1].digest);
      expect((await drain(layer.body)).toString()).toBe('layer-b');
      expect(events).toEqual([
        expect.objectContaining({
          type: 'cache.synced',
          status: 'SUCCESS',
          repository: ALPINE.name,
          digest: image.digest,
          tag: '3',
          ecrRepositoryPrefix: 'hub',
        }),
      ]);
    });

    it('stores an index with every child, so the tag names a complete closure', async () => {
      const { upstream, syncer, read } = await setup();
      const amd = specImage('amd');
      const arm = specImage('arm');
      const index = specIndex(amd, arm);
      upstream.push('library/alpine', 'multi', index, amd, arm);

      await syncer.beforeManifestRead(ALPINE, 'multi', allowAll);

      expect((await read(ALPINE, 'multi')).digest).toBe(index.digest);
      expect((await read(ALPINE, arm.digest)).bytes.equals(arm.bytes)).toBe(true);
    });

    it('shares one upstream fetch between concurrent pulls of the same tag', async () => {
      const { upstream, syncer } = await setup();
      upstream.push('library/alpine', '3', specImage('x'));

      await Promise.all([1, 2, 3].map(() => syncer.beforeManifestRead(ALPINE, '3', allowAll)));

      expect(upstream.calls.filter((call) => call.startsWith('getManifest'))).toEqual(['getManifest library/alpine:3']);
    });

    it('re-checks a cached tag only once the refresh interval passed, then serves the new digest', async () => {
      const { upstream, syncer, read, advance } = await setup();
      upstream.push('library/alpine', '3', specImage('old'));
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      const moved = specImage('new');
      upstream.push('library/alpine', '3', moved);

      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      const before = (await read(ALPINE, '3')).digest;
      advance(61_000);
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      expect(before).not.toBe(moved.digest);
      expect((await read(ALPINE, '3')).digest).toBe(moved.digest);
    });

    it('serves the cached copy when the upstream is down at a re-check', async () => {
      const { upstream, syncer, read, advance, stale } = await setup();
      const image = specImage('kept');
      upstream.push('library/alpine', '3', image);
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      upstream.down = true;
      advance(61_000);

      await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      expect((await read(ALPINE, '3')).digest).toBe(image.digest);
      expect(stale).toEqual(['3']);
    });

    it('caches nothing when the upstream serves a blob whose bytes do not match its digest, and fails cleanly', async () => {
      const { upstream, syncer, storage, events } = await setup();
      const image = specImage('good', 'tampered');
      const tampered = JSON.parse(image.bytes.toString()).layers[1].digest as string;
      upstream.push('library/alpine', '3', image);
      upstream.corrupt.add(tampered);

      const failure = await syncer.beforeManifestRead(ALPINE, '3', allowAll).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(UpstreamPullError);
      expect(failure).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
      expect(await storage.manifests.resolveTag(ALPINE, '3')).toBeUndefined();
      expect((await storage.blobs.stat(tampered as never)).found).toBe(false);
      expect(events).toEqual([expect.objectContaining({ type: 'cache.synced', status: 'FAILED', failureCode: 'digest-mismatch' })]);
    });

    it('leaves repositories no rule covers alone, and a reference the upstream lacks to the usual 404', async () => {
      const { upstream, syncer, storage } = await setup();

      await syncer.beforeManifestRead(repo('mine/app'), 'latest', allowAll);
      await syncer.beforeManifestRead(ALPINE, 'missing', allowAll);

      expect(upstream.calls).toEqual(['getManifest library/alpine:missing']);
      expect(await storage.manifests.resolveTag(ALPINE, 'missing')).toBeUndefined();
    });

    it('needs ecr:BatchImportUpstreamImage, and ecr:CreateRepository for a first pull', async () => {
      const { upstream, syncer } = await setup();
      upstream.push('library/alpine', '3', specImage('x'));
      const asked: unknown[] = [];

      const failure = await syncer
        .beforeManifestRead(ALPINE, '3', async (access) => {
          asked.push(...access);
          return access.map((record) => record.action === 'ecr:BatchImportUpstreamImage');
        })
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ImportDeniedError);
      expect((failure as Error).message).toContain('ecr:CreateRepository');
      expect(upstream.calls).toEqual([]);
    });

    it('creates the repository with the settings of the template that applies to PULL_THROUGH_CACHE', async () => {
      const templates = new MemoryRepositoryCreationTemplateStore();
      const { upstream, syncer, registry, storage } = await setup({ templates });
      await registry.templates.create(REGISTRY, {
        prefix: 'hub',
        appliedFor: ['PULL_THROUGH_CACHE'],
        imageTagMutability: 'IMMUTABLE',
        imageTagMutabilityExclusionFilters: [],
        resourceTags: [{ Key: 'team', Value: 'cache' }],
      });
      upstream.push('library/alpine', '3', specImage('x'));

      await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      const created = await storage.repositories.get(ALPINE);
      expect(created?.settings).toMatchObject({ imageTagMutability: 'IMMUTABLE', tags: [{ Key: 'team', Value: 'cache' }] });
    });
  });

  describe('onBlobMiss', () => {
    it('streams a missing blob to the puller while storing it, then serves it from storage', async () => {
      const { upstream, syncer, registry } = await setup();
      const image = specImage('streamed-layer');
      upstream.push('library/alpine', '3', image);
      const layer = JSON.parse(image.bytes.toString()).layers[0].digest as string;

      const streamed = await syncer.onBlobMiss(ALPINE, layer, allowAll);
      if (!streamed) throw new Error('expected the blob to stream from the upstream');
      const bytes = await drain(streamed.body);
      await new Promise((resolve) => setImmediate(resolve));

      expect(bytes.toString()).toBe('streamed-layer');
      expect((await drain((await registry.blobs.open(ALPINE, layer)).body)).toString()).toBe('streamed-layer');
      expect(await syncer.onBlobMiss(ALPINE, layer, allowAll)).toBeUndefined();
    });
  });

  describe('onBlobMiss, store-first (Lambda)', () => {
    it('stores and links the blob before answering, so the route serves it from storage', async () => {
      const { upstream, syncer, registry } = await setup({ blobMisses: 'store-first' });
      const image = specImage('stored-first');
      upstream.push('library/alpine', '3', image);
      const layer = JSON.parse(image.bytes.toString()).layers[0].digest as string;

      const answer = await syncer.onBlobMiss(ALPINE, layer, allowAll);

      expect(answer).toBeUndefined();
      expect((await drain((await registry.blobs.open(ALPINE, layer)).body)).toString()).toBe('stored-first');
    });
  });

  describe('beforeManifestRead, lazy blobs (Lambda with a gateway)', () => {
    it('fetches an index and its children but no blob, answers the index to serve as it is, and caches nothing yet', async () => {
      const { upstream, syncer, storage, events } = await setup({ lazyBlobs: true });
      const children = [specImage('amd64'), specImage('arm64')];
      const index = specIndex(...children);
      upstream.push('library/alpine', '3', index, ...children);

      const served = await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      expect(served).toEqual({ digest: index.digest, mediaType: index.mediaType, bytes: index.bytes });
      expect(upstream.calls.filter((call) => call.startsWith('openBlob'))).toEqual([]);
      expect(upstream.calls.filter((call) => call.startsWith('getManifest'))).toHaveLength(3);
      expect(await storage.manifests.resolveTag(ALPINE, '3')).toBeUndefined();
      expect(events).toEqual([]);
    });

    it('caches the tag on the pull after its blobs were filled, with a SUCCESS event', async () => {
      const { upstream, syncer, read, events } = await setup({ lazyBlobs: true });
      const image = specImage('lazy-a', 'lazy-b');
      upstream.push('library/alpine', '3', image);
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      const digests = [JSON.parse(image.bytes.toString()).config.digest, ...JSON.parse(image.bytes.toString()).layers.map((l: { digest: string }) => l.digest)];
      // What the gateway does on the client's blob GETs.
      for (const digest of digests) await fill(syncer, digest);
      await new Promise((resolve) => setImmediate(resolve));

      const served = await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      expect(served).toBeUndefined();
      expect((await read(ALPINE, '3')).digest).toBe(image.digest);
      expect(events).toEqual([expect.objectContaining({ type: 'cache.synced', status: 'SUCCESS', digest: image.digest, tag: '3' })]);
    });

    it('serves a moved tag as the upstream has it until its blobs are filled, and re-checks it on the next pull', async () => {
      const { upstream, syncer, read, advance } = await setup({ lazyBlobs: true });
      const old = specImage('old-lazy');
      upstream.push('library/alpine', '3', old);
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      for (const blob of old.blobs) {
        const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
        await fill(syncer, digest);
      }
      await new Promise((resolve) => setImmediate(resolve));
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      const moved = specImage('moved-lazy');
      upstream.push('library/alpine', '3', moved);
      advance(120_000);

      const served = await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      const heads = () => upstream.calls.filter((call) => call.startsWith('headManifest')).length;
      const before = heads();
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);

      expect(served?.digest).toBe(moved.digest);
      expect((await read(ALPINE, '3')).digest).toBe(old.digest);
      expect(heads()).toBe(before + 1);
    });
  });

  describe('refreshRegistry', () => {
    it('re-checks every cached tag of the repositories rules cover, now, and moves the ones the upstream moved', async () => {
      const { upstream, syncer, storage, read } = await setup();
      upstream.push('library/alpine', '3', specImage('old'));
      upstream.push('library/alpine', 'edge', specImage('edge'));
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      await syncer.beforeManifestRead(ALPINE, 'edge', allowAll);
      await storage.repositories.create(repo('mine/app'), new Date());
      const moved = specImage('new');
      upstream.push('library/alpine', '3', moved);

      const report = await refreshRegistry(syncer, storage, REGISTRY);

      expect(report).toEqual({ checked: 2, failed: 0 });
      expect((await read(ALPINE, '3')).digest).toBe(moved.digest);
    });

    it('counts a tag whose upstream is down as failed and goes on', async () => {
      const { upstream, syncer, storage } = await setup();
      upstream.push('library/alpine', '3', specImage('x'));
      await syncer.beforeManifestRead(ALPINE, '3', allowAll);
      upstream.down = true;
      const failures: string[] = [];

      const report = await refreshRegistry(syncer, storage, REGISTRY, (_repo, tag) => failures.push(tag));

      expect(report).toEqual({ checked: 1, failed: 1 });
      expect(failures).toEqual(['3']);
    });
  });
});
