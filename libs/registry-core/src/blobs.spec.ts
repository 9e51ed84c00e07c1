import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { BlobReferencedError } from '@cargohold/storage-ports';
import { bodyOf } from '@cargohold/storage-testing';
import { createRegistry } from './registry';

const repo = { registry: '000000000000:us-east-1', name: 'app' };

describe('BlobService.delete', () => {
  it('refuses (409) to unlink a layer a manifest of the repository lists, until that manifest is deleted', async () => {
    const storage = createMemoryStorage();
    const registry = createRegistry({ storage });
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.from('layer');
    for (const blob of [config, layer]) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
      }),
    );
    const pushed = await registry.manifests.put(repo, 'latest', manifest, 'application/vnd.oci.image.manifest.v1+json');

    const error = await registry.blobs.delete(repo, digestOf(layer)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobReferencedError);
    expect(error).toMatchObject({ code: 'DENIED', status: 409, detail: { digest: digestOf(layer), referencedBy: [pushed.digest] } });
    await expect(registry.blobs.stat(repo, digestOf(layer))).resolves.toEqual({ digest: digestOf(layer), size: layer.length });

    await registry.manifests.delete(repo, pushed.digest);
    await expect(registry.blobs.delete(repo, digestOf(layer))).resolves.toBeUndefined();
    await expect(registry.blobs.stat(repo, digestOf(layer))).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
  });
});

describe('BlobService reads of bytes changed behind its back', () => {
  const layer = Buffer.from('a layer of some length');
  const digest = digestOf(layer);

  /** The memory store holds whatever it is given: here, bytes of another size than the link records. */
  async function truncated() {
    const storage = createMemoryStorage();
    const registry = createRegistry({ storage });
    await registry.uploads.putMonolithic(repo, digest, bodyOf(layer));
    await storage.blobs.delete(digest);
    storage.blobs.keep(digest, layer.subarray(0, 5));
    return { storage, registry };
  }

  it('refuses to report (HEAD) a size the stored bytes no longer have, and quarantines them', async () => {
    const { storage, registry } = await truncated();
    await expect(registry.blobs.stat(repo, digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN', detail: { digest } });
    expect(storage.blobs.quarantined.has(digest)).toBe(true);
    await expect(registry.blobs.stat(repo, digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
  });

  it('refuses a ranged read of a blob whose stored size is not the recorded one', async () => {
    const { registry } = await truncated();
    await expect(registry.blobs.open(repo, digest, { kind: 'from', start: 0, end: 2 })).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
    await expect(registry.blobs.open(repo, digest)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
  });

  it('is healed by a push of the same blob', async () => {
    const { registry } = await truncated();
    await registry.blobs.stat(repo, digest).catch(() => undefined);
    await registry.uploads.putMonolithic(repo, digest, bodyOf(layer));
    await expect(registry.blobs.stat(repo, digest)).resolves.toEqual({ digest, size: layer.length });
  });

  it('is healed by a chunked upload of the same blob even before a read found it corrupt', async () => {
    const { storage, registry } = await truncated();
    const { id } = await registry.uploads.start(repo);
    await registry.uploads.append(repo, id, bodyOf(layer), {});
    await registry.uploads.complete(repo, id, digest, undefined, {});
    expect(storage.blobs.quarantined.get(digest)?.length).toBe(5);
    await expect(registry.blobs.stat(repo, digest)).resolves.toEqual({ digest, size: layer.length });
  });
});
