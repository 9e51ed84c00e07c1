import type { BlobStore, BlobUploads } from '@cargohold/storage-ports';

export interface BlobPorts {
  readonly blobs: BlobStore;
  readonly uploads: BlobUploads;
}

/** A fresh, empty blob storage for one test. */
export interface BlobStoreFixture extends BlobPorts {
  /**
   * A second adapter instance over the same storage, as after a process restart (no in-memory state
   * shared with the first). Required when the suite runs with `restartable: true`.
   */
  reopen?(): Promise<BlobPorts>;
  cleanup(): Promise<void>;
}

export interface BlobStoreContractOptions {
  /** The adapter persists across instances (fs, S3): enables the restart tests, which use `reopen`. */
  readonly restartable?: boolean;
}

export type MakeBlobStore = () => Promise<BlobStoreFixture>;
