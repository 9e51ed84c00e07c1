export * from './refs';
export * from './errors';
export * from './blob-store';
export * from './blob-uploads';
export * from './repository-store';
export * from './manifest-store';
export * from './blob-link-store';
export * from './upload-session-store';
export * from './registry-settings-store';
export * from './outbox-store';
export * from './scan-store';
export * from './blob-reclaim-store';

import type { BlobLinkStore } from './blob-link-store';
import type { BlobReclaimStore } from './blob-reclaim-store';
import type { BlobStore } from './blob-store';
import type { BlobUploads } from './blob-uploads';
import type { ManifestStore } from './manifest-store';
import type { RepositoryStore } from './repository-store';
import type { RegistrySettingsStore } from './registry-settings-store';
import type { UploadSessionStore } from './upload-session-store';

/** Everything the registry core needs from storage, as one bundle an app's factory assembles. */
export interface RegistryStorage {
  readonly blobs: BlobStore;
  readonly uploads: BlobUploads;
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
  readonly sessions: UploadSessionStore;
  readonly registries: RegistrySettingsStore;
  /** Pins and claims for online garbage collection; without one, nothing can be collected safely. */
  readonly reclaim?: BlobReclaimStore;
  /** Releases handles (database connections); idempotent. */
  close(): Promise<void>;
}
export * from './keyed-mutex';
export * from './repository-creation-template-store';
export * from './secret-store';
export * from './upstream-source';
export * from './lifecycle-targets';
export * from './replication-status-store';
