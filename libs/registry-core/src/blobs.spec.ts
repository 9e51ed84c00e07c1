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
