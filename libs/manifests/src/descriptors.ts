import { isForeignLayerMediaType, type Digest } from '@cargohold/oci';
import type { Descriptor, ParsedManifest } from './types';

/**
 * The blobs a registry must hold before it accepts an image manifest: its config and layers, minus
 * foreign/non-distributable layers, which clients fetch from their `urls` (parseManifest guarantees those
 * have urls). Indexes reference manifests, not blobs: see childManifests.
 */
export function blobReferences(m: ParsedManifest): Descriptor[] {
  if (m.kind !== 'image') return [];
  return [m.config, ...m.layers.filter((layer) => !isForeignLayerMediaType(layer.mediaType))];
}

/** The manifests an index points at, which the registry must hold before it accepts the index. */
export function childManifests(m: ParsedManifest): Descriptor[] {
  return m.kind === 'index' ? [...m.manifests] : [];
}

/** Every descriptor in the document, in document order: config, layers, manifests, then subject. */
export function walkDescriptors(m: ParsedManifest): Descriptor[] {
  const all = m.kind === 'image' ? [m.config, ...m.layers] : [...m.manifests];
  if (m.subject !== undefined) all.push(m.subject);
  return all;
}

/**
 * The entry for this manifest in its subject's referrers index (OCI distribution-spec v1.1): an image's
 * artifact type falls back to its config media type; an index has none unless it declares one.
 */
export function referrerDescriptor(m: ParsedManifest, digest: Digest, size: number): Descriptor {
  const artifactType = m.artifactType ?? (m.kind === 'image' ? m.config.mediaType : undefined);
  const descriptor: Descriptor = { mediaType: m.mediaType, digest, size };
  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  if (m.annotations !== undefined) descriptor.annotations = { ...m.annotations };
  return descriptor;
}
