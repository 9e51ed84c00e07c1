import { createHash } from 'node:crypto';
import { createRegistry } from '@cargohold/registry-core';
import { createMemoryStorage, MemoryRepositoryCreationTemplateStore } from '@cargohold/storage-memory';
import { NO_SECRETS, type Digest, type RepoRef } from '@cargohold/storage-ports';
import { CacheSyncer } from './cache-syncer';
import { PullThroughRules } from './rule-admin';
import { specImage, SpecUpstream } from './spec-upstream';

const REGISTRY = '111122223333:us-east-1';
const ALPINE: RepoRef = { registry: REGISTRY, name: 'hub/library/alpine' };
const allowAll = async (access: readonly unknown[]) => access.map(() => true);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
const YEAR = 365 * 24 * 60 * 60 * 1000;

async function setup(lazyBlobs = false) {
  const storage = createMemoryStorage();
  const registry = createRegistry({ storage, templates: new MemoryRepositoryCreationTemplateStore() });
  const upstream = new SpecUpstream();
  const rules = new PullThroughRules({ registries: storage.registries, secrets: NO_SECRETS, connect: () => upstream, insecureUpstreams: ['127.0.0.1:5001'] });
  await rules.create(REGISTRY, { ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: '127.0.0.1:5001' });
  const syncer = new CacheSyncer({ registry, storage, rules, lazyBlobs });
  return { storage, registry, upstream, syncer };
}

/**
 * The collector, between an import's stat of stored bytes and its link: it claims the digest (nothing
 * links it yet), and deletes the bytes 50 ms later, then releases. Imports link only under a pin, which
 * waits for the claim's release, so they never link bytes the collector is deleting.
 */
async function collectWhileImporting(storage: ReturnType<typeof createMemoryStorage>, digest: Digest, importing: Promise<unknown>) {
  expect(await storage.reclaim.claim(digest, 'gc', { at: new Date(0), until: new Date(Date.now() + YEAR) })).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await storage.blobs.delete(digest);
  await storage.reclaim.release(digest, 'gc');
  return importing;
}

describe('CacheSyncer under garbage collection', () => {
  it('waits for a collection of a layer it found stored, then fetches it afresh: the cached tag names a whole closure', async () => {
    const { storage, registry, upstream, syncer } = await setup();
    const image = specImage('collected-a', 'collected-b');
    upstream.push('library/alpine', '3', image);
    const layer = image.blobs[1] as Buffer;
    storage.blobs.keep(sha256(layer), layer);

    await collectWhileImporting(storage, sha256(layer), syncer.beforeManifestRead(ALPINE, '3', allowAll));

    expect((await registry.manifests.get(ALPINE, '3', undefined)).digest).toBe(image.digest);
    for (const blob of image.blobs) expect((await registry.blobs.stat(ALPINE, sha256(blob))).size).toBe(blob.length);
    expect(upstream.calls).toContain(`openBlob library/alpine@${sha256(layer)}`);
  });

  it('with lazy blobs, does not count a layer being collected as stored: the manifest is served uncached', async () => {
    const { storage, upstream, syncer } = await setup(true);
    const image = specImage('lazy-collected');
    upstream.push('library/alpine', '3', image);
    for (const blob of image.blobs) storage.blobs.keep(sha256(blob), blob);

    const served = await collectWhileImporting(storage, sha256(image.blobs[1] as Buffer), syncer.beforeManifestRead(ALPINE, '3', allowAll));

    expect(served).toEqual(expect.objectContaining({ digest: image.digest }));
    expect(await storage.manifests.resolveTag(ALPINE, '3')).toBeUndefined();
    expect(await storage.links.stat(ALPINE, sha256(image.blobs[1] as Buffer))).toEqual({ found: false });
  });
});

describe('CacheSyncer, a failed first pull', () => {
  it('leaves no empty repository behind: not on the upstream, bytes that do not match, the upstream down', async () => {
    const { storage, upstream, syncer } = await setup();
    const image = specImage('bad-first');
    upstream.push('library/alpine', 'corrupt', image);
    upstream.corrupt.add(sha256(image.blobs[0] as Buffer));

    await syncer.beforeManifestRead(ALPINE, 'missing', allowAll);
    const missing = await storage.repositories.get(ALPINE);
    await syncer.beforeManifestRead(ALPINE, 'corrupt', allowAll).catch(() => undefined);
    const corrupt = await storage.repositories.get(ALPINE);
    upstream.down = true;
    await syncer.beforeManifestRead(ALPINE, 'corrupt', allowAll).catch(() => undefined);

    expect(missing).toBeUndefined();
    expect(corrupt).toBeUndefined();
    expect(await storage.repositories.get(ALPINE)).toBeUndefined();
  });

  it('keeps a repository that holds an image, whatever a later pull of another tag does', async () => {
    const { storage, upstream, syncer } = await setup();
    upstream.push('library/alpine', '3', specImage('kept'));
    await syncer.beforeManifestRead(ALPINE, '3', allowAll);

    await syncer.beforeManifestRead(ALPINE, 'missing', allowAll);

    expect(await storage.repositories.get(ALPINE)).toBeDefined();
    expect(await storage.manifests.resolveTag(ALPINE, '3')).toBeDefined();
  });
});
