import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { ManifestClosureError } from '@cargohold/storage-ports';
import { bodyOf } from '@cargohold/storage-testing';
import { createRegistry } from './registry';

const repo = { registry: '000000000000:us-east-1', name: 'app' };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function setup() {
  const storage = createMemoryStorage();
  return { storage, registry: createRegistry({ storage }) };
}

async function pushImage(registry: ReturnType<typeof createRegistry>, seed: string) {
  const config = Buffer.from(`{"architecture":"${seed}","os":"linux"}`);
  const layer = Buffer.from(`layer ${seed}`);
  for (const blob of [config, layer]) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
    }),
  );
  return { ...(await registry.manifests.put(repo, 'v1', manifest, OCI_MANIFEST)), config: digestOf(config), layer: digestOf(layer), manifest };
}

describe('ManifestService.put closure (invariant 3)', () => {
  it('refuses an index whose child is deleted after the pre-check: the store re-checks with the write', async () => {
    const { storage, registry } = setup();
    const child = await pushImage(registry, 'amd64');
    await registry.manifests.delete(repo, 'v1');
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.size }] }),
    );
    const put = storage.manifests.put.bind(storage.manifests);
    jest.spyOn(storage.manifests, 'put').mockImplementationOnce(async (...args) => {
      // A concurrent DELETE lands between ManifestService's closure check and the store's write.
      await storage.manifests.delete(repo, child.digest);
      return put(...args);
    });

    const error = await registry.manifests.put(repo, 'latest', index, OCI_INDEX).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ManifestClosureError);
    expect(error).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', status: 400, detail: { digest: child.digest } });
    expect(await storage.manifests.resolveTag(repo, 'latest')).toBeUndefined();
  });

  it('refuses a manifest whose layer is unlinked after the pre-check', async () => {
    const { storage, registry } = setup();
    const image = await pushImage(registry, 'amd64');
    await registry.manifests.delete(repo, image.digest);
    const put = storage.manifests.put.bind(storage.manifests);
    jest.spyOn(storage.manifests, 'put').mockImplementationOnce(async (...args) => {
      await storage.links.unlink(repo, image.layer);
      return put(...args);
    });

    await expect(registry.manifests.put(repo, 'v2', image.manifest, OCI_MANIFEST)).rejects.toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      detail: { digest: image.layer },
    });
    expect(await storage.manifests.get(repo, image.digest)).toBeUndefined();
  });
});

describe('ManifestService reads of stored bytes', () => {
  it('verifies a manifest read from the blob store, refuses bad bytes with MANIFEST_UNKNOWN, and a re-push heals it', async () => {
    const storage = createMemoryStorage();
    const pusher = createRegistry({ storage });
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    await pusher.uploads.putMonolithic(repo, digestOf(config), bodyOf(config));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
        layers: [],
      }),
    );
    const { digest } = await pusher.manifests.put(repo, 'v1', manifest, OCI_MANIFEST);
    const flipped = Buffer.from(manifest);
    flipped[10] = (flipped[10] as number) ^ 1;
    await storage.blobs.delete(digest);
    storage.blobs.keep(digest, flipped);

    // A new registry over the same storage, as after a restart: nothing cached.
    const restarted = createRegistry({ storage });
    const error = await restarted.manifests.get(repo, 'v1', OCI_MANIFEST).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MANIFEST_UNKNOWN', status: 404, detail: { reference: digest } });
    expect(storage.blobs.quarantined.has(digest)).toBe(true);

    await restarted.manifests.put(repo, 'v1', manifest, OCI_MANIFEST);
    expect((await restarted.manifests.get(repo, 'v1', OCI_MANIFEST)).bytes.equals(manifest)).toBe(true);
  });
});

describe('ManifestService.get on a storage that cannot write', () => {
  const DISK_FULL = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

  it('serves the manifest when recording the pull fails, counts every failure and reports an outage once', async () => {
    const storage = createMemoryStorage();
    const reported: unknown[] = [];
    let now = new Date('2026-06-01T00:00:00Z');
    const registry = createRegistry({
      storage,
      clock: { now: () => now },
      limits: { pullRecordIntervalMs: 1000 },
      onBestEffortFailure: (_what, error) => reported.push(error),
    });
    const image = await pushImage(registry, 'amd64');
    const recordPull = jest.spyOn(storage.manifests, 'recordPull').mockRejectedValue(DISK_FULL);

    for (let pull = 0; pull < 3; pull++) {
      const got = await registry.manifests.get(repo, 'v1', undefined);
      expect(got.bytes.equals(image.manifest)).toBe(true);
    }

    // A failed record is retried on the next pull (not remembered as done), yet reported only once.
    expect(recordPull).toHaveBeenCalledTimes(3);
    expect(registry.manifests.pullRecordFailures).toBe(3);
    expect(reported).toEqual([DISK_FULL]);

    recordPull.mockRestore();
    await registry.manifests.get(repo, 'v1', undefined);
    expect((await storage.manifests.get(repo, image.digest))?.lastPulledAt).toEqual(now);
    now = new Date(now.getTime() + 2000);
    jest.spyOn(storage.manifests, 'recordPull').mockRejectedValue(DISK_FULL);
    await registry.manifests.get(repo, 'v1', undefined);
    expect(reported).toEqual([DISK_FULL, DISK_FULL]);
  });
});

describe('ManifestService pulls', () => {
  it('reads the tag and the manifest, and the repository only to name a miss', async () => {
    const { storage, registry } = setup();
    await pushImage(registry, 'amd64');
    const repositoryReads = jest.spyOn(storage.repositories, 'get');

    await expect(registry.manifests.get(repo, 'v1', OCI_MANIFEST)).resolves.toMatchObject({ mediaType: OCI_MANIFEST });
    await expect(registry.manifests.stat(repo, 'v1', OCI_MANIFEST)).resolves.toMatchObject({ mediaType: OCI_MANIFEST });
    expect(repositoryReads).not.toHaveBeenCalled();

    await expect(registry.manifests.get(repo, 'missing', OCI_MANIFEST)).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(registry.manifests.get({ ...repo, name: 'nothing' }, 'v1', OCI_MANIFEST)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    await expect(registry.manifests.stat({ ...repo, name: 'nothing' }, 'v1', OCI_MANIFEST)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    expect(repositoryReads).toHaveBeenCalledTimes(3);
  });
});
