import { createHash } from 'node:crypto';

/** A single-platform image to push: its layers' bytes (any bytes: the registry does not look inside). */
export interface TestImage {
  readonly layers: readonly Buffer[];
  /** Goes into the config blob, so two images with the same layers still differ. Default 'linux/amd64'. */
  readonly platform?: string;
}

export interface PushedImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly config: { readonly digest: string; readonly bytes: Buffer };
  readonly layers: readonly { readonly digest: string; readonly bytes: Buffer }[];
}

export interface PushedIndex {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly children: readonly PushedImage[];
}

export interface BuiltBlob {
  readonly digest: string;
  readonly bytes: Buffer;
}

export function blobOf(bytes: Buffer): BuiltBlob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** The config, layers and manifest of a single-platform OCI image (layers are opaque bytes to a registry). */
export function buildImage(image: TestImage): { config: BuiltBlob; layers: BuiltBlob[]; manifest: BuiltBlob } {
  const [os, architecture] = (image.platform ?? 'linux/amd64').split('/');
  const layers = image.layers.map(blobOf);
  const config = blobOf(Buffer.from(JSON.stringify({ architecture, os, rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) } })));
  const descriptor = (mediaType: string, blob: BuiltBlob) => ({ mediaType, digest: blob.digest, size: blob.bytes.length });
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor('application/vnd.oci.image.config.v1+json', config),
    layers: layers.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar', layer)),
  };
  return { config, layers, manifest: blobOf(Buffer.from(JSON.stringify(manifest))) };
}

export function buildIndex(children: readonly { digest: string; bytes: Buffer; platform: string }[]): BuiltBlob {
  const manifests = children.map((child) => {
    const [os, architecture] = child.platform.split('/');
    return { mediaType: OCI_MANIFEST, digest: child.digest, size: child.bytes.length, platform: { architecture, os } };
  });
  return blobOf(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
}
