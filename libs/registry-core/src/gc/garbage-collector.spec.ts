import { digestOf, type Digest } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf, OCI_MANIFEST, ociImage } from '@cargohold/storage-testing';
import { createRegistry } from '../registry';
import { GarbageCollector, type GcOptions } from './garbage-collector';

const repo = { registry: '000000000000:us-east-1', name: 'app' };
const HOUR = 60 * 60 * 1000;
const GRACE = 24 * HOUR;

function setup() {
  let now = new Date('2026-01-01T00:00:00Z').getTime();
  const clock = { now: () => new Date(now) };
  const storage = createMemoryStorage({ now: clock.now });
  const registry = createRegistry({ storage, clock, limits: { uploadIdleTimeoutMs: HOUR } });
  const collector = new GarbageCollector(
    {
      blobs: storage.blobs,
      inventory: storage.blobs,
      reclaim: storage.reclaim,
      links: storage.links,
      sessions: { expireIdle: () => registry.uploads.purgeIdle() },
    },
    clock,
  );
  const gc = (options: Partial<GcOptions> = {}) => collector.run({ graceMs: GRACE, ...options });
  return { storage, registry, gc, advance: (ms: number) => void (now += ms) };
}

async function push(registry: ReturnType<typeof createRegistry>, seed: string, tag = seed) {
  const image = ociImage(seed);
  for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
  await registry.manifests.put(repo, tag, image.manifest, OCI_MANIFEST);
  return image;
}

async function pullable(registry: ReturnType<typeof createRegistry>, image: ReturnType<typeof ociImage>, tag: string) {
  const manifest = await registry.manifests.get(repo, tag, undefined);
  expect(manifest.bytes.equals(image.manifest)).toBe(true);
  for (const blob of image.blobs) expect((await registry.blobs.stat(repo, digestOf(blob))).size).toBe(blob.length);
}

describe('GarbageCollector', () => {
  it('keeps every blob of a tagged image, however old', async () => {
    const { registry, gc, advance } = setup();
    const image = await push(registry, 'kept');
    advance(10 * GRACE);
    const report = await gc();
    expect(report).toMatchObject({ blobsScanned: 3, blobsDeleted: 0, linksRemoved: 0 });
    await pullable(registry, image, 'kept');
  });

  it('collects an untagged-and-deleted image past grace: links first, then bytes, and reports the bytes', async () => {
    const { storage, registry, gc, advance } = setup();
    const image = await push(registry, 'gone');
    await registry.manifests.delete(repo, image.digest);
    advance(GRACE + 1);
    const deleted: Digest[] = [];
    const report = await gc({ onBlob: (blob) => deleted.push(blob.digest) });
    const sizes = image.manifest.length + image.config.length + image.layer.length;
    expect(report).toMatchObject({ blobsDeleted: 3, bytesReclaimed: sizes, linksRemoved: 2 });
    expect(deleted.sort()).toEqual([image.digest, digestOf(image.config), digestOf(image.layer)].sort());
    expect(await storage.blobs.stat(digestOf(image.layer))).toEqual({ found: false });
  });

  it('leaves a blob uploaded moments ago (younger than grace), and its link', async () => {
    const { storage, registry, gc, advance } = setup();
    const layer = Buffer.from('fresh layer');
    await registry.uploads.putMonolithic(repo, digestOf(layer), bodyOf(layer));
    advance(GRACE - 1);
    expect(await gc()).toMatchObject({ blobsDeleted: 0, linksRemoved: 0 });
    expect((await storage.links.stat(repo, digestOf(layer))).found).toBe(true);
  });

  it('keeps old bytes that a repository linked again within grace (a re-push of a known layer)', async () => {
    const { registry, gc, advance } = setup();
    const layer = Buffer.from('old layer');
    await registry.uploads.putMonolithic({ ...repo, name: 'first' }, digestOf(layer), bodyOf(layer));
    advance(2 * GRACE);
    await registry.uploads.putMonolithic(repo, digestOf(layer), bodyOf(layer));
    expect(await gc()).toMatchObject({ blobsDeleted: 0, linksRemoved: 1 });
    expect((await registry.blobs.stat(repo, digestOf(layer))).size).toBe(layer.length);
  });

  it('a dry run reports what a real run then removes, and changes nothing', async () => {
    const { storage, registry, gc, advance } = setup();
    const image = await push(registry, 'dry');
    await registry.manifests.delete(repo, image.digest);
    await push(registry, 'stays');
    advance(GRACE + 1);
    const dry = await gc({ dryRun: true });
    expect((await storage.links.stat(repo, digestOf(image.layer))).found).toBe(true);
    expect(await storage.blobs.stat(image.digest)).toMatchObject({ found: true });
    const real = await gc();
    expect(dry).toMatchObject({ dryRun: true, blobsDeleted: real.blobsDeleted, bytesReclaimed: real.bytesReclaimed, linksRemoved: real.linksRemoved });
    expect(real.blobsDeleted).toBe(3);
  });

  it('does not delete bytes a push has pinned (between storing and linking them)', async () => {
    const { storage, gc, advance } = setup();
    const layer = Buffer.from('pinned');
    storage.blobs.keep(digestOf(layer), layer);
    advance(GRACE + 1);
    const now = new Date(Date.parse('2026-01-01T00:00:00Z') + GRACE + 1);
    await storage.reclaim.pin(digestOf(layer), 'writer', { at: now, until: new Date(now.getTime() + HOUR) }, repo);
    expect(await gc()).toMatchObject({ blobsDeleted: 0 });
    await storage.reclaim.unpin(digestOf(layer), 'writer');
    expect(await gc()).toMatchObject({ blobsDeleted: 1 });
  });

  it('makes a manifest put that references a collected layer fail with MANIFEST_BLOB_UNKNOWN, not 201', async () => {
    const { registry, gc, advance } = setup();
    const image = ociImage('late');
    for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
    advance(GRACE + 1);
    await gc();
    await expect(registry.manifests.put(repo, 'late', image.manifest, OCI_MANIFEST)).rejects.toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN' });
  });

  it('makes an upload racing a claim wait for the release, then store its bytes afresh and link them', async () => {
    const { storage, registry } = setup();
    const layer = Buffer.from('raced');
    storage.blobs.keep(digestOf(layer), layer);
    const now = new Date();
    expect(await storage.reclaim.claim(digestOf(layer), 'gc', { at: new Date(0), until: new Date(now.getTime() + HOUR * 24 * 365) })).toBe(true);
    const pushing = registry.uploads.putMonolithic(repo, digestOf(layer), bodyOf(layer));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await storage.blobs.delete(digestOf(layer)); // the collector deletes under its claim…
    await storage.reclaim.release(digestOf(layer), 'gc'); // …and releases it
    await expect(pushing).resolves.toEqual({ digest: digestOf(layer), size: layer.length });
    expect((await registry.blobs.stat(repo, digestOf(layer))).size).toBe(layer.length);
  });

  it('makes a mount whose bytes were collected since it read the source link fall back to an upload', async () => {
    const { storage, registry } = setup();
    await registry.registryAdmin.putAccountSetting(repo.registry, 'BLOB_MOUNTING', 'ENABLED');
    const source = { ...repo, name: 'base' };
    const layer = Buffer.from('mounted');
    await registry.uploads.putMonolithic(source, digestOf(layer), bodyOf(layer));
    const stat = storage.links.stat.bind(storage.links);
    jest.spyOn(storage.links, 'stat').mockImplementationOnce(async (ref, digest) => {
      const seen = await stat(ref, digest);
      // The collector, right after the mount read the source's link: the link expires, the bytes go.
      await storage.links.unlink(source, digest);
      await storage.blobs.delete(digest);
      return seen;
    });
    const mounted = await registry.uploads.mount(repo, digestOf(layer), 'base', async () => true);
    expect(mounted.mounted).toBe(false);
    expect(await storage.links.stat(repo, digestOf(layer))).toEqual({ found: false });
  });

  it('expires upload sessions idle past the upload timeout, with their staged bytes', async () => {
    const { storage, registry, gc, advance } = setup();
    const { id } = await registry.uploads.start(repo);
    await registry.uploads.append(repo, id, bodyOf(Buffer.from('partial')), {});
    advance(HOUR + 1);
    expect(await gc()).toMatchObject({ sessionsExpired: 1 });
    expect((await storage.uploads.status(id)).found).toBe(false);
  });

  it('stops taking blobs once its signal aborts, skips the later steps and reports the pass incomplete', async () => {
    const { storage, registry, gc, advance } = setup();
    for (const seed of ['a', 'b', 'c']) {
      const image = await push(registry, seed);
      await registry.manifests.delete(repo, image.digest);
    }
    const { id } = await registry.uploads.start(repo);
    advance(GRACE + 1);
    const controller = new AbortController();
    const partial = await gc({ signal: controller.signal, onBlob: () => controller.abort() });
    expect(partial).toMatchObject({ complete: false, blobsScanned: 1, blobsDeleted: 1, sessionsExpired: 0 });
    expect((await storage.uploads.status(id)).found).toBe(true);
    const rest = await gc();
    expect(rest).toMatchObject({ complete: true, blobsDeleted: 8, sessionsExpired: 1 });
  });
});
