import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';

const SKOPEO = '/usr/bin/skopeo';

/** skopeo is part of the toolchain: missing in CI is a failure, locally the spec is skipped. */
export function skopeoAvailable(): boolean {
  if (existsSync(SKOPEO)) return true;
  if (process.env['CI']) throw new Error(`${SKOPEO} is required in CI`);
  return false;
}

export async function skopeo(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(SKOPEO, ['--insecure-policy', ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
}

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Writes an OCI image layout with one image (`tag`) whose layers are the given bytes (skopeo copies
 * them verbatim with --preserve-digests), and answers the manifest bytes.
 */
export async function writeOciLayout(dir: string, tag: string, layers: Buffer[]): Promise<{ manifest: Buffer; layers: string[] }> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: Buffer) => {
    const digest = digestOf(bytes);
    await writeFile(join(blobs, digest.slice(7)), bytes);
    return digest;
  };
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(digestOf) } }));
  const descriptors = [];
  for (const layer of layers) descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await put(layer), size: layer.length });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await put(config), size: config.length },
      layers: descriptors,
    }),
  );
  const manifestDigest = await put(manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return { manifest, layers: descriptors.map((d) => d.digest) };
}
