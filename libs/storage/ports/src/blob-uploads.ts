import type { Digest, Found } from './refs';

export interface AppendOptions {
  /** Cap on the staged total after this append; exceeding it throws SizeLimitError. */
  readonly maxBytes: number;
  /** Declared chunk length (Content-Length); a body of another length throws SizeMismatchError. */
  readonly expectedSize?: number;
}

/**
 * Staging areas for resumable (chunked) uploads: the write side of BlobStore.
 *
 * Contract:
 * - Ids are lowercase UUIDs (the core generates them); any other id is UploadUnknownError from every
 *   method and never reaches a path or key.
 * - `create(id)` makes an empty staging area; creating an existing id is a no-op.
 * - `append(id, offset, body)` succeeds only when `offset` equals the staged size
 *   (UploadOffsetMismatchError otherwise, carrying the current size); appends to one id are serialized.
 *   When the body fails midway (client disconnect, size cap) the staged data is rolled back to `offset`,
 *   so a client can resume from the size `size(id)` reports.
 * - `commit(id, digest)` hashes the staged bytes (reusing the running hash where it can), and only if they
 *   match makes them addressable in the BlobStore under `digest`, durably, then removes the staging area.
 *   On DigestMismatchError the staging area is kept (the client may retry or cancel).
 * - Unknown ids throw UploadUnknownError from `append` and `commit`; `size` answers found:false.
 * - `abort` is idempotent and frees the staging area.
 * - `list` yields every staging id, so orphans (a session whose metadata is gone) can be purged.
 */
export interface BlobUploads {
  create(id: string): Promise<void>;
  append(id: string, offset: number, body: AsyncIterable<Uint8Array>, options: AppendOptions): Promise<{ size: number }>;
  size(id: string): Promise<Found<{ size: number }>>;
  commit(id: string, digest: Digest): Promise<{ size: number }>;
  abort(id: string): Promise<void>;
  list(): AsyncIterable<string>;
}
