import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { UpstreamError, type UpstreamSource } from '@cargohold/storage-ports';

/*
 * Spec vocabulary (imported by specs only): a scripted upstream registry holding real bytes under
 * their real digests, counting the calls the cache-syncer makes.
 */

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface SpecImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly blobs: readonly Buffer[];
}

export function specImage(...layers: string[]): SpecImage {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', layers }));
  const layerBytes = layers.map((text) => Buffer.from(text));
  const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: sha256(bytes), size: bytes.length });
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: layerBytes.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar', layer)),
    }),
  );
  return { digest: sha256(bytes), mediaType: OCI_MANIFEST, bytes, blobs: [config, ...layerBytes] };
}

export function specIndex(...images: SpecImage[]): SpecImage {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map((image) => ({ mediaType: image.mediaType, digest: image.digest, size: image.bytes.length })),
    }),
  );
  return { digest: sha256(bytes), mediaType: OCI_INDEX, bytes, blobs: [] };
}

export class SpecUpstream implements UpstreamSource {
  readonly calls: string[] = [];
  down = false;
  /** Digests whose blob the upstream serves with other bytes. */
  readonly corrupt = new Set<string>();
  private readonly manifests = new Map<string, { digest: string; mediaType: string; bytes: Buffer }>();
  private readonly blobs = new Map<string, Buffer>();

  /** Puts an image (and, for an index, its children) under `repository:tag`. */
  push(repository: string, tag: string, image: SpecImage, ...children: SpecImage[]): void {
    for (const child of children) this.push(repository, child.digest, child);
    for (const blob of image.blobs) this.blobs.set(sha256(blob), blob);
    this.manifests.set(`${repository}:${tag}`, image);
    this.manifests.set(`${repository}:${image.digest}`, image);
  }

  async getManifest(repository: string, reference: string) {
    this.call(`getManifest ${repository}:${reference}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const manifest = this.manifests.get(`${repository}:${reference}`);
    if (!manifest) throw new UpstreamError('not-found', `${repository}:${reference} not found`);
    return manifest;
  }

  async headManifest(repository: string, reference: string) {
    this.call(`headManifest ${repository}:${reference}`);
    const manifest = this.manifests.get(`${repository}:${reference}`);
    return manifest && { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.length };
  }

  async openBlob(repository: string, digest: string) {
    this.call(`openBlob ${repository}@${digest}`);
    const blob = this.blobs.get(digest);
    if (!blob) throw new UpstreamError('not-found', `${digest} not found`);
    const served = this.corrupt.has(digest) ? Buffer.from(blob.map((byte) => byte ^ 1)) : blob;
    return { size: blob.length, body: Readable.from([served]) };
  }

  async check() {
    return this.down ? { reachable: false, authenticated: false, failure: 'connection refused' } : { reachable: true, authenticated: true };
  }

  private call(what: string): void {
    this.calls.push(what);
    if (this.down) throw new UpstreamError('unavailable', 'the upstream is down');
  }
}
