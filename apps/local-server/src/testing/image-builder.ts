import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { OCI_CONFIG, OCI_MANIFEST, type RegistryClient } from './registry-client';

export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** A gzipped tar of the given files, built in memory (test layers are small). */
export async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', () => resolve());
    archive.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) archive.entry({ name, mtime: new Date(0) }, content);
  archive.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** Pushes an OCI image whose layers hold the given files; returns the manifest digest. */
export async function pushFilesImage(client: RegistryClient, repo: string, tag: string, layers: Record<string, string>[]): Promise<string> {
  const blobs = await Promise.all(layers.map((files) => tarGz(files)));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const configDigest = await client.pushBlob(repo, config);
  const descriptors = [];
  for (const blob of blobs) descriptors.push({ mediaType: OCI_LAYER_GZIP, digest: await client.pushBlob(repo, blob), size: blob.length });
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: descriptors,
  };
  const { res, digest } = await client.putManifest(repo, tag, manifest, OCI_MANIFEST);
  if (res.status !== 201) throw new Error(`push failed: ${res.status} ${res.body}`);
  return digest;
}
