/**
 * Media types a registry has to recognise. OCI types come from image-spec v1.1; Docker types from the
 * Image Manifest V2 Schema 2 spec. Schema 1 types are listed only so they can be rejected by name.
 */
export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociNondistributableLayer: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociNondistributableLayerGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociNondistributableLayerZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',

  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerPluginConfig: 'application/vnd.docker.plugin.v1+json',

  dockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1SignedManifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export type KnownMediaType = (typeof MediaTypes)[keyof typeof MediaTypes];

/** Image manifests: a config plus layers. */
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [MediaTypes.ociManifest, MediaTypes.dockerManifest];
/** Indexes: a list of child manifests, usually one per platform. */
export const INDEX_MEDIA_TYPES: readonly string[] = [MediaTypes.ociIndex, MediaTypes.dockerManifestList];
/** Every manifest type cargohold stores and serves. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [...IMAGE_MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES];
/** Docker schema 1: deprecated, unsigned-or-JWS, never accepted on push. */
export const SCHEMA1_MEDIA_TYPES: readonly string[] = [MediaTypes.dockerSchema1Manifest, MediaTypes.dockerSchema1SignedManifest];

/**
 * The OCI empty descriptor: the two-byte JSON `{}`, used as the config of artifacts that have none
 * (image-spec v1.1 "Guidance for an Empty Descriptor").
 */
export const EMPTY_JSON_BYTES: Uint8Array = new Uint8Array([0x7b, 0x7d]);
export const EMPTY_DESCRIPTOR = {
  mediaType: MediaTypes.ociEmpty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

/**
 * Foreign (Docker) and non-distributable (OCI, deprecated in v1.1) layers are fetched by clients from
 * their `urls`; a registry never has to hold them.
 */
export function isForeignLayerMediaType(mediaType: string): boolean {
  return mediaType.startsWith(MediaTypes.dockerForeignLayer) || mediaType.startsWith(MediaTypes.ociNondistributableLayer);
}

export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

/** RFC 6838 §4.2 `type "/" subtype`, restricted-name characters only; no parameters. */
const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function isMediaType(value: string): boolean {
  return MEDIA_TYPE_PATTERN.test(value);
}

/** `application/JSON; charset=utf-8` → `application/json`: the part media types are compared on. */
export function essenceOf(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}
