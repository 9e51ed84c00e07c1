import type { DigestAlgorithm } from '@cargohold/oci';
import type { Digest, Found } from './refs';

/**
 * The saved state of the running hash of an upload after its first `offset` bytes. Opaque to adapters:
 * they keep it with the staged bytes and hand it back, so a resume in any process, after a restart,
 * continues the hash from there instead of from byte zero.
 */
export interface HashState {
  readonly algorithm: DigestAlgorithm;
  readonly offset: number;
  readonly state: Uint8Array;
}

/**
 * Staging areas for resumable (chunked) uploads: the write side of BlobStore. Adapters only store,
 * append, commit and abort; metering (size caps, declared lengths), hashing and the digest comparison
 * happen once, above them, in the core's verifying writer.
 *
 * Contract:
 * - Ids satisfy `isUploadId` (the core generates them); any other id is UploadUnknownError from `create`,
 *   `append`, `read` and `commit`, found:false from `status`, a no-op for `abort`, and never reaches a
 *   path or key.
 * - `create(id)` makes an empty staging area; creating an existing id is a no-op.
 * - `append(id, offset, body, hashState)` stores `body` only when `offset` equals the staged size
 *   (UploadOffsetMismatchError otherwise, carrying the current size); appends to one id are serialized.
 *   It reads `body` to its end; when `body` throws (a client disconnect, or the writer's size cap) the
 *   staged data is rolled back to `offset` and the error rethrown, so a client can resume from the size
 *   `status` reports. Once the body ended, `hashState()` (if given) is called and its result kept with the
 *   new size: in the same write where the storage allows it, otherwise after the bytes are durable. The
 *   append is durable when it resolves.
 * - `status(id)` answers the staged size and the latest kept hash state at or below it (none when a
 *   state was never given, or was lost); found:false for an unknown id.
 * - `read(id, start)` streams the staged bytes from `start` to the end, so a hash can catch up to the
 *   staged size from an older state.
 * - `commit(id, digest, size)` is called by the writer once it computed `digest` from the staged bytes
 *   and it matched what the client claimed. It makes them addressable in the BlobStore under `digest`,
 *   durably, and removes the staging area. When the staged size is no longer `size` (another writer
 *   appended meanwhile) it throws UploadOffsetMismatchError and publishes nothing. A blob already
 *   present under `digest` is kept as it is.
 * - Unknown ids throw UploadUnknownError from `append`, `read` and `commit`.
 * - `abort` is idempotent and frees the staging area.
 * - `list` yields every staging id, so orphans (a session whose metadata is gone) can be purged.
 */
export interface BlobUploads {
  create(id: string): Promise<void>;
  append(id: string, offset: number, body: AsyncIterable<Uint8Array>, hashState?: () => HashState): Promise<{ size: number }>;
  status(id: string): Promise<Found<{ size: number; hashState?: HashState }>>;
  read(id: string, start: number): AsyncIterable<Uint8Array>;
  commit(id: string, digest: Digest, size: number): Promise<void>;
  abort(id: string): Promise<void>;
  list(): AsyncIterable<string>;
}
