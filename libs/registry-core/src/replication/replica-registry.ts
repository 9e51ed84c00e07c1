import type { Digest } from '@cargohold/oci';
import type { BlobLinkStore, BlobStore, ManifestStore, RegistrySettingsStore, RepositoryStore } from '@cargohold/storage-ports';
import type { ManifestService } from '../manifests';
import type { RepositoryTemplates } from '../repository-templates';

/**
 * What the replicator needs of a registry it writes into: its stores, its creation templates and the
 * manifest put path (the closure check, tag mutability and the recorded image.pushed all come with it).
 * Embedded, every registry shares one bundle; on AWS another region's bundle is that region's table
 * and bucket.
 */
export interface ReplicaRegistry {
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
  readonly blobs: BlobStore;
  readonly registries: RegistrySettingsStore;
  readonly templates: RepositoryTemplates;
  readonly manifestService: ManifestService;
}

/** The registry bundle holding a registry key (`<account>:<region>`). */
export type ReplicaRegistries = (registry: string) => ReplicaRegistry;

/**
 * Makes one blob of the source addressable in the destination's blob store (then the replicator links it
 * into the destination repository). Must not return before the bytes are durable there.
 */
export interface BlobCopier {
  copy(digest: Digest, size: number, to: ReplicaRegistry): Promise<void>;
}

/**
 * Both registries share one content-addressed blob store (one data dir embedded, one bucket on AWS): the
 * blob only has to exist. Stacks with buckets of their own copy server-side instead (apps/replicator: S3
 * CopyObject / UploadPartCopy into the destination's bucket, so no byte passes through the worker).
 */
export const SHARED_BLOB_STORE: BlobCopier = {
  async copy(digest, size, to) {
    const stat = await to.blobs.stat(digest);
    if (!stat.found) throw new Error(`blob ${digest} is missing from the shared blob store`);
    if (stat.size !== size) throw new Error(`blob ${digest} has ${stat.size} bytes, the source links ${size}`);
  },
};
