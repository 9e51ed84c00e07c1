import type { RegistryEvent } from '@cargohold/events';
import type { Digest, Page, RepoRef } from './refs';

/** What a repository knows about one manifest; the bytes themselves live in the BlobStore. */
export interface ManifestRecord {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
  /** `artifactType`, else the config's media type: what the referrers API reports. */
  readonly artifactType?: string;
  readonly subject?: Digest;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Blobs (config, layers) and child manifests this manifest needs; kept for reference checks and GC. */
  readonly blobs: readonly Digest[];
  readonly children: readonly Digest[];
  /** The config's media type (ECR's artifactMediaType); absent for indexes. */
  readonly configMediaType?: string;
  /** ECR's imageSizeInBytes: the layers' sizes summed; for an index, its largest child's. */
  readonly imageSizeBytes: number;
  readonly pushedAt: Date;
  readonly lastPulledAt?: Date;
  /** ECR's storage class; absent reads as STANDARD (every record written before archiving existed). */
  readonly storageClass?: StorageClass;
  /** When the image last moved to ARCHIVE, and last came back to STANDARD. */
  readonly lastArchivedAt?: Date;
  readonly lastActivatedAt?: Date;
}

export type StorageClass = 'STANDARD' | 'ARCHIVE';

/**
 * Manifests and tags of a repository.
 *
 * Contract:
 * - `put` records the manifest (idempotent by digest: an existing record keeps its `pushedAt`) and points
 *   each of `tags` at it, all in one atomic step: a reader sees every tag at its old or its new digest,
 *   never missing (invariant 3). It returns, per moved tag, the digest it pointed at before.
 * - `put` refuses, atomically with the write, with ManifestClosureError (naming the missing digest) when any
 *   of `record.children` is not a manifest of the repository or any of `record.blobs` is not linked in the
 *   repository (BlobLinkStore): then nothing is recorded, no tag moves and no event is recorded. (The
 *   DynamoDB adapter documents the one gap it leaves: links of a manifest too large for one transaction.)
 * - `put` with `options.immutableTags` moves each of those tags only if it is absent or already points at
 *   `record.digest`; otherwise it throws TagConflictError (naming the tag), atomically with the write, and
 *   records nothing (no manifest, no tag, no event). Of N concurrent puts of different digests onto one
 *   absent immutable tag, exactly one succeeds.
 * - `listTags` is byte-ordered keyset pagination; `tagsOf` lists the tags on one digest, sorted.
 * - `delete` removes a manifest and every tag on it atomically, but throws ManifestReferencedError when
 *   another manifest (an index) in the repository lists it among its `children`. False when absent. With
 *   `options.expectedTags` (sorted), it deletes only if exactly those tags are on the manifest, checked
 *   atomically with the delete, and otherwise answers false and changes nothing (a lifecycle expiry of an
 *   image re-tagged since it was selected).
 * - `list` pages through every manifest of a repository (tagged or not) by digest, byte order.
 * - `listWithTags` is `list` with each record's tags (as `tagsOf` answers them) and without its `blobs` and
 *   `children`, read per page rather than per record: the ECR listings show every image with its tags, and
 *   a page must cost a bounded number of reads whatever its size.
 * - `put`, `delete` and `deleteTag` take the events that describe the change; an adapter with an outbox
 *   (OutboxStore) records them in the same atomic step as the change, and only if the change happened.
 *   Adapters whose change feed is the event source (DynamoDB Streams) may ignore them.
 * - `recordPull` keeps the later of the stored and the given time (pulls may be recorded out of order).
 * - `setStorageClass` moves a manifest to `storageClass`, stamping `lastArchivedAt` (ARCHIVE) or
 *   `lastActivatedAt` (STANDARD) with `at`, and answers the updated record; a manifest already in that
 *   class is answered unchanged. Undefined when there is no such manifest. `put` of an existing digest
 *   keeps its storage class and stamps (a re-push does not restore an archived image).
 * - `referrers` lists the manifests whose `subject` is the digest, ordered by digest; the subject itself
 *   need not exist.
 */
/** Conditions on a `put`'s tag moves. */
export interface ManifestPutOptions {
  /** Tags (a subset of `tags`) that may only be created or re-pointed at the same digest, never moved. */
  readonly immutableTags?: readonly string[];
}

/** Conditions on a `delete`. */
export interface ManifestDeleteOptions {
  /** The tags the caller saw on the manifest, sorted: the delete happens only if they are still exactly those. */
  readonly expectedTags?: readonly string[];
}

/** What a listing shows of a manifest: the record without the digests it references. */
export type ManifestSummary = Omit<ManifestRecord, 'blobs' | 'children'>;

/** The summary of a record (adapters that read whole records anyway). */
export function summaryOf({ blobs: _blobs, children: _children, ...summary }: ManifestRecord): ManifestSummary {
  return summary;
}

/** A manifest with the tags on it, sorted (a page of `listWithTags`). */
export interface TaggedManifest {
  readonly record: ManifestSummary;
  readonly tags: string[];
}

export interface ManifestStore {
  put(
    repo: RepoRef,
    record: ManifestRecord,
    tags: readonly string[],
    events?: readonly RegistryEvent[],
    options?: ManifestPutOptions,
  ): Promise<{ previous: Record<string, Digest> }>;
  get(repo: RepoRef, digest: Digest): Promise<ManifestRecord | undefined>;
  list(repo: RepoRef, page: Page): Promise<ManifestRecord[]>;
  listWithTags(repo: RepoRef, page: Page): Promise<TaggedManifest[]>;
  resolveTag(repo: RepoRef, tag: string): Promise<Digest | undefined>;
  listTags(repo: RepoRef, page: Page): Promise<string[]>;
  tagsOf(repo: RepoRef, digest: Digest): Promise<string[]>;
  deleteTag(repo: RepoRef, tag: string, events?: readonly RegistryEvent[]): Promise<boolean>;
  delete(repo: RepoRef, digest: Digest, events?: readonly RegistryEvent[], options?: ManifestDeleteOptions): Promise<boolean>;
  referrers(repo: RepoRef, subject: Digest): Promise<ManifestRecord[]>;
  recordPull(repo: RepoRef, digest: Digest, at: Date): Promise<void>;
  setStorageClass(repo: RepoRef, digest: Digest, storageClass: StorageClass, at: Date): Promise<ManifestRecord | undefined>;
}
