import { digestOf, type Digest } from '@cargohold/oci';
import type {
  BlobLinkStore,
  ManifestRecord,
  ManifestStore,
  RepoRef,
  RepositoryStore,
  UploadSessionStore,
} from '@cargohold/storage-ports';

/** A fresh, empty metadata store for one test. */
export interface MetadataFixture {
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
  readonly sessions: UploadSessionStore;
  cleanup(): Promise<void>;
}

export type MakeMetadata = () => Promise<MetadataFixture>;

export const REGISTRY = '000000000000:us-east-1';
export const OTHER_REGISTRY = '111111111111:eu-west-1';
export const repoRef = (name: string, registry = REGISTRY): RepoRef => ({ registry, name });

/** A stable, distinct digest per label. */
export const digestFor = (label: string): Digest => digestOf(Buffer.from(label));

export const T0 = new Date('2025-01-01T00:00:00.000Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const IMAGE_INDEX = 'application/vnd.oci.image.index.v1+json';

export function manifestRecord(label: string, extra: Partial<ManifestRecord> = {}): ManifestRecord {
  return {
    digest: digestFor(label),
    mediaType: IMAGE_MANIFEST,
    size: 100 + label.length,
    blobs: [digestFor(`${label}/config`), digestFor(`${label}/layer`)],
    children: [],
    pushedAt: T0,
    ...extra,
  };
}

export function indexRecord(label: string, children: readonly ManifestRecord[]): ManifestRecord {
  return manifestRecord(label, { mediaType: IMAGE_INDEX, blobs: [], children: children.map((c) => c.digest) });
}
