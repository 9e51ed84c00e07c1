import { digestOf, type Digest } from '@cargohold/oci';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** A one-layer OCI image as bytes: its blobs to upload first, then its manifest. */
export interface ImageFixture {
  readonly config: Buffer;
  readonly layer: Buffer;
  /** Config and layer, in the order a client uploads them. */
  readonly blobs: readonly Buffer[];
  readonly manifest: Buffer;
  readonly digest: Digest;
  readonly mediaType: typeof OCI_MANIFEST;
}

export interface ImageOptions {
  /** Makes the image a referrer (an SBOM, a signature) of this image. */
  readonly subject?: ImageFixture;
  readonly artifactType?: string;
}

/** A distinct, valid image per `seed` (the seed is the config's architecture and the layer's bytes). */
export function ociImage(seed: string, options: ImageOptions = {}): ImageFixture {
  const config = Buffer.from(`{"architecture":"${seed}","os":"linux"}`);
  const layer = Buffer.from(`layer ${seed}`);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(options.artifactType ? { artifactType: options.artifactType } : {}),
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
      ...(options.subject ? { subject: { mediaType: options.subject.mediaType, digest: options.subject.digest, size: options.subject.manifest.length } } : {}),
    }),
  );
  return { config, layer, blobs: [config, layer], manifest, digest: digestOf(manifest), mediaType: OCI_MANIFEST };
}

/** An OCI index over already pushed images (a multi-arch image); it has no blobs of its own. */
export function ociIndex(children: readonly ImageFixture[]): { blobs: readonly Buffer[]; manifest: Buffer; digest: Digest; mediaType: typeof OCI_INDEX } {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((child) => ({ mediaType: child.mediaType, digest: child.digest, size: child.manifest.length })),
    }),
  );
  return { blobs: [], manifest, digest: digestOf(manifest), mediaType: OCI_INDEX };
}
