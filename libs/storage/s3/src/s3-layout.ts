import { randomUUID } from 'node:crypto';
import type { DigestAlgorithm } from '@cargohold/oci';

/**
 * Object keys of the S3 blob adapter, all in one bucket under an optional `<prefix>/`:
 *
 *   <prefix>/
 *   ├── blobs/<alg>/<hex>            verified, addressable bytes (e.g. blobs/sha256/ab12…ef). An object
 *   │                                appears here only by a PutObject / CompleteMultipartUpload / CopyObject
 *   │                                issued after its digest was computed and matched (invariant 2).
 *   ├── corrupt/<alg>/<hex>          bytes that failed verification, copied out of blobs/ (then deleted
 *   │                                there, so a re-push publishes afresh); kept for inspection
 *   └── uploads/<id>/                one resumable upload per (UUID) id; `list()` reads these prefixes
 *       ├── state.json               the manifest: multipart upload id, part ETags and sizes, tail key,
 *       │                            base key, the core's hash state. Rewritten (conditionally on its
 *       │                            ETag) after every append;
 *       │                            the upload exists exactly while this object does.
 *       ├── tail-<nonce>             bytes not yet flushed as a part (fewer than the next part's size)
 *       ├── data-<nonce>             destination of the upload's multipart upload; after a commit whose
 *       │                            digest did not match, the assembled bytes stay here as the "base"
 *       └── …                        orphans of a crashed or rolled-back append; swept by commit/abort
 *
 * Nonces make every staged object write-once: a new tail or base never overwrites the one state.json
 * still names, so state.json is the single commit point of an append and a crash anywhere before it
 * leaves the previous state intact. Monolithic puts stage in an S3 multipart upload at the blob's own
 * key; its parts are invisible until the completion that follows verification.
 *
 * Part sizes follow one schedule by part number (partSize below: 5 MiB for the first 2,000 parts,
 * doubling every 2,000 parts up to 80 MiB), for resumable uploads and monolithic puts alike, so ECR's
 * largest layer (52,000 MiB) takes 5,100 parts of at most 20 MiB and one multipart upload holds up to
 * MAX_MULTIPART_BYTES (310,000 MiB); a byte beyond part 10,000 is refused with SizeLimitError. A writer
 * holds at most two parts in memory (one uploading, one filling), so at most 2 × 20 MiB for ECR's limit.
 * A base copied into a new multipart upload takes parts 1…n of at most MAX_SINGLE_COPY each (n ≤ 61
 * for the largest upload) and appended parts continue the schedule at n + 1; as a base is never under
 * 5 MiB, and each of those n parts holds at least as much as the schedule's part of that number would,
 * the bound still holds.
 */
export class S3Layout {
  private readonly root: string;

  constructor(prefix = '') {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.root = trimmed === '' ? '' : `${trimmed}/`;
  }

  /** Callers pass a hex already validated by parseDigest, so it can only be [0-9a-f]. */
  blobKey(algorithm: DigestAlgorithm, hex: string): string {
    return `${this.root}blobs/${algorithm}/${hex}`;
  }

  /** Where every blob key starts: a listing of it, parsed by `digestOfKey`, is the blob inventory. */
  get blobsPrefix(): string {
    return `${this.root}blobs/`;
  }

  /** The digest a key under `blobsPrefix` names (`<alg>/<hex>`), or undefined for anything else. */
  digestOfKey(key: string): string | undefined {
    if (!key.startsWith(this.blobsPrefix)) return undefined;
    const [algorithm, hex, ...rest] = key.slice(this.blobsPrefix.length).split('/');
    return rest.length === 0 && algorithm && hex ? `${algorithm}:${hex}` : undefined;
  }

  /** Everything of this adapter (the prefix), for sweeps of storage-level leftovers. */
  get rootPrefix(): string {
    return this.root;
  }

  corruptKey(algorithm: DigestAlgorithm, hex: string): string {
    return `${this.root}corrupt/${algorithm}/${hex}`;
  }

  get uploadsPrefix(): string {
    return `${this.root}uploads/`;
  }

  /** Callers pass an id already validated by isUploadId. */
  uploadPrefix(id: string): string {
    return `${this.uploadsPrefix}${id}/`;
  }

  stateKey(id: string): string {
    return `${this.uploadPrefix(id)}state.json`;
  }

  /** A fresh key for staged bytes of `id` (`tail` or `data`), never reused. */
  stagingKey(id: string, kind: 'tail' | 'data'): string {
    return `${this.uploadPrefix(id)}${kind}-${randomUUID()}`;
  }
}

const MiB = 1024 * 1024;

/** S3's minimum size of every part of a multipart upload but the last, and the first step of the schedule. */
export const MIN_PART_SIZE = 5 * MiB;

/** S3's largest part number: a multipart upload has at most this many parts. */
export const MAX_PARTS = 10_000;

/** Parts per step of the schedule: the part size doubles after each run of this many parts. */
const PARTS_PER_STEP = 2_000;

/**
 * The size of part `number` (1…MAX_PARTS) of every multipart upload this adapter writes:
 *
 *   parts     1–2,000   5 MiB    up to   10,000 MiB staged (≈ 9.8 GiB: nearly every real layer)
 *   parts 2,001–4,000  10 MiB    up to   30,000 MiB
 *   parts 4,001–6,000  20 MiB    up to   70,000 MiB (ECR's 52,000 MiB layer: 5,100 parts, largest 20 MiB)
 *   parts 6,001–8,000  40 MiB    up to  150,000 MiB
 *   parts 8,001–10,000 80 MiB    up to  310,000 MiB = MAX_MULTIPART_BYTES
 *
 * A fixed 5 MiB would stop at 50,000 MiB (S3's 10,000 parts); a fixed larger size would hold that much
 * in memory for every small layer. Doubling in steps keeps ordinary layers at 5 MiB parts and the largest
 * part at 80 MiB. The size depends on the part number only, so any process continuing an upload cuts the
 * same parts; state.json records each part's size anyway (parts written before this schedule existed
 * are 5 MiB, as its first step is).
 */
export function partSize(number: number): number {
  if (!Number.isInteger(number) || number < 1 || number > MAX_PARTS) throw new RangeError(`part number ${number} is outside 1…${MAX_PARTS}`);
  return MIN_PART_SIZE * 2 ** Math.floor((number - 1) / PARTS_PER_STEP);
}

/** The most bytes one multipart upload cut by partSize holds: all MAX_PARTS parts full. */
export const MAX_MULTIPART_BYTES = PARTS_PER_STEP * MIN_PART_SIZE * (2 ** (MAX_PARTS / PARTS_PER_STEP) - 1);

/** The largest object CopyObject (and the largest range UploadPartCopy) accepts in one request. */
export const MAX_SINGLE_COPY = 5 * 1024 * 1024 * 1024;

/** How many parts S3Objects.copyIntoParts makes of `size` bytes: ranges of at most MAX_SINGLE_COPY, split evenly. */
export function copyPartCount(size: number): number {
  return Math.max(1, Math.ceil(size / MAX_SINGLE_COPY));
}
