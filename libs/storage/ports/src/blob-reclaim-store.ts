import type { Digest, RepoRef } from './refs';

/** A blob's bytes as a storage listing sees them: candidates for collection, never proof of anything. */
export interface StoredBlob {
  readonly digest: Digest;
  readonly size: number;
  /** When the bytes were last written (published); a re-put of present bytes may leave it unchanged. */
  readonly modifiedAt: Date;
}

/**
 * The listing side of a BlobStore, for garbage collection: every addressable blob with its age. Staged
 * uploads, temporary and quarantined bytes are not listed. Order is unspecified; a blob published or
 * deleted while the listing runs may or may not appear. Kept apart from BlobStore so the serving path
 * never depends on it.
 */
export interface BlobInventory {
  stored(): AsyncIterable<StoredBlob>;
}

/** A repository's link to a digest, as `linksOf` reports it. */
export interface BlobLinkEntry {
  readonly repo: RepoRef;
  readonly linkedAt: Date;
  /** A manifest of that repository lists the digest among its blobs (so `unlink` would refuse). */
  readonly referenced: boolean;
}

/** A pin's or claim's time window, by the caller's clock: it holds from `at` and counts until `until`. */
export interface Lease {
  readonly at: Date;
  readonly until: Date;
}

/**
 * The metadata side of online garbage collection: who still needs a digest's bytes, and a mutual
 * exclusion between writers that are about to rely on the bytes (pins) and the collector deleting them
 * (a claim). Both are rows of the metadata store of record, so they work across processes.
 *
 * Contract:
 * - `linksOf(digest)` yields every repository link to the digest, in every registry, from the store of
 *   record (an index on the digest, never a scan of all links). `recorded(digest)` answers whether a
 *   manifest record with that digest exists in any repository. Both are reads: advice for a dry run and
 *   for what to try; only `claim` decides.
 * - `pin(digest, owner, lease, repo)` records that `owner` is about to link or record the digest in `repo`
 *   (an adapter without an index from digest to links keeps `repo` as its reference hint). It answers
 *   false, and records nothing, while an unexpired claim holds the digest. Pins of different owners
 *   coexist; re-pinning by one owner extends it. `unpin` is idempotent.
 * - `claim(digest, owner, lease)` succeeds, atomically with its checks, only when nothing needs the bytes:
 *   no link in any repository, no manifest record with that digest in any repository, no unexpired pin
 *   and no unexpired claim by another owner. While the claim holds, `pin` answers false, so no writer can
 *   come to rely on the bytes. `release` (idempotent) ends it once the bytes are gone or were kept.
 * - A pin or claim whose `until` is not after the other party's `lease.at` counts as absent (a crashed
 *   process never blocks a digest for longer than its `until`); expired rows are removed lazily.
 */
export interface BlobReclaimStore {
  linksOf(digest: Digest): AsyncIterable<BlobLinkEntry>;
  recorded(digest: Digest): Promise<boolean>;
  pin(digest: Digest, owner: string, lease: Lease, repo: RepoRef): Promise<boolean>;
  unpin(digest: Digest, owner: string): Promise<void>;
  claim(digest: Digest, owner: string, lease: Lease): Promise<boolean>;
  release(digest: Digest, owner: string): Promise<void>;
}
