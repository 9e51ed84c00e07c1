import type { Readable } from 'node:stream';
import type { Digest, Found } from './refs';

/** Inclusive byte range, already validated against the blob's size (0 <= start <= end < size). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Called by `put` once the body ended, before anything is published: the caller compares the digest it
 * computed while the body streamed with the one claimed, and throws (DigestMismatchError) to refuse.
 */
export type BeforePublish = () => void | Promise<void>;

/**
 * Content-addressed blob bytes (layers, configs and manifests alike), shared by all repositories of a
 * deployment; which repository may see a blob is recorded by BlobLinkStore, not here.
 *
 * Contract:
 * - A blob is addressable only after its digest was computed from the bytes and matched (invariant 2).
 *   The core's writer meters and hashes the body it hands `put` and compares in `verify`; the store
 *   keeps the bytes where they are not addressable until `verify` returned. Staged or partial data is
 *   never visible through `stat`/`open`.
 * - `put` resolves only once the bytes are durable (fsync + rename on disk, S3's 200 in AWS). When
 *   `body` or `verify` throws, nothing is published and the error is rethrown.
 * - `put` of a digest that already exists leaves it addressable (the same verified bytes again).
 * - `delete` is idempotent. Callers (garbage collection) guarantee nothing still references the blob.
 * - `quarantine` moves the bytes under `digest` aside, for inspection, because they failed verification
 *   (a flipped bit, a truncated file): afterwards `stat` and `open` answer found:false, and a `put` or an
 *   upload's commit of the digest publishes fresh bytes (which is how a re-push heals the blob). Metadata
 *   (links, manifest records) is left alone. Idempotent: nothing under `digest` is a no-op.
 */
export interface BlobStore {
  stat(digest: Digest): Promise<Found<{ size: number }>>;

  /** Streams the whole blob, or the inclusive `range` of it. */
  open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>>;

  /** Streams `body` in, then publishes it under `digest` if `verify` returns. */
  put(digest: Digest, body: AsyncIterable<Uint8Array>, verify: BeforePublish): Promise<{ size: number }>;

  delete(digest: Digest): Promise<void>;

  quarantine(digest: Digest): Promise<void>;
}
