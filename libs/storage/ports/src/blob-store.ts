import type { Readable } from 'node:stream';
import type { Digest, Found } from './refs';

/** Inclusive byte range, already validated against the blob's size (0 <= start <= end < size). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutBlobOptions {
  /** Hard cap on bytes read from `body`; exceeding it throws SizeLimitError and stores nothing. */
  readonly maxBytes: number;
  /** When the client declared a length, a shorter or longer body throws SizeMismatchError. */
  readonly expectedSize?: number;
}

/**
 * Content-addressed blob bytes (layers, configs and manifests alike), shared by all repositories of a
 * deployment; which repository may see a blob is recorded by BlobLinkStore, not here.
 *
 * Contract:
 * - A blob is addressable only after the store computed its digest from the bytes and it matched
 *   (invariant 2). Staged or partial data is never visible through `stat`/`open`.
 * - `put` resolves only once the bytes are durable (fsync + rename on disk, S3's 200 in AWS).
 * - `put` of a digest that already exists is a no-op that still drains and verifies `body`.
 * - `delete` is idempotent. Callers (garbage collection) guarantee nothing still references the blob.
 */
export interface BlobStore {
  stat(digest: Digest): Promise<Found<{ size: number }>>;

  /** Streams the whole blob, or the inclusive `range` of it. */
  open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>>;

  /** Streams `body` in while hashing it; throws DigestMismatchError, SizeLimitError, SizeMismatchError. */
  put(digest: Digest, body: AsyncIterable<Uint8Array>, options: PutBlobOptions): Promise<{ size: number }>;

  delete(digest: Digest): Promise<void>;
}
