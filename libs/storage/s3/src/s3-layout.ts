import { randomUUID } from 'node:crypto';
import { isUploadId, type DigestAlgorithm } from '@cargohold/oci';

/**
 * Object keys of the S3 blob adapter, all in one bucket under an optional `<prefix>/`:
 *
 *   <prefix>/
 *   ├── blobs/<alg>/<hex>            a published blob (e.g. blobs/sha256/ab12…ef), in one of two forms:
 *   │                                - a plain object holding the bytes: written by `put`, by the commit
 *   │                                  of an upload under one part, and by every older version;
 *   │                                - a pointer: an empty object whose metadata names the data object
 *   │                                  holding the bytes (x-amz-meta-cargohold-target: data/<id>/<nonce>,
 *   │                                  relative to <prefix>/) and their size (x-amz-meta-cargohold-size),
 *   │                                  written by the commit of a larger upload.
 *   │                                Either appears only by a write issued after the digest was computed
 *   │                                and matched (invariant 2). Reads (stat, open, ranges, presigned URLs)
 *   │                                follow a pointer; one whose data is gone reads as no blob.
 *   ├── data/<id>/<nonce>            the multipart upload of upload <id>, completed in place by `read` or
 *   │                                by the commit; a commit publishes it by writing its pointer, so
 *   │                                a layer's bytes are written once (S3 cannot rename, and a CopyObject
 *   │                                of a 1 GiB layer writes it all again). Outside uploads/<id>/ so that
 *   │                                it outlives its upload once published. Until then state.json names
 *   │                                it and the upload's abort deletes it; afterwards the pointer owns it,
 *   │                                and BlobStore.delete deletes the pointer's data, then the pointer.
 *   ├── corrupt/<alg>/<hex>          what failed verification, moved out of blobs/ (so a re-push publishes
 *   │                                afresh) and kept for inspection: a plain object is copied here, a
 *   │                                pointer is rewritten here (its data stays where it is); a later
 *   │                                quarantine of the digest replaces it, freeing the older pointer's data
 *   └── uploads/<id>/                one resumable upload per (UUID) id; `list()` reads these prefixes
 *       ├── state.json               the manifest: multipart upload key and id, part ETags and sizes, tail
 *       │                            key, base key, the core's hash state, and `publishing` (below).
 *       │                            Rewritten (conditionally on its ETag) after every append;
 *       │                            the upload exists exactly while this object does.
 *       ├── tail-<nonce>             bytes not yet flushed as a part (fewer than the next part's size)
 *       ├── data-<nonce>             where older versions staged the multipart upload: still completed
 *       │                            and copied to blobs/ on commit, as they did
 *       └── …                        orphans of a crashed or rolled-back append; swept by commit/abort
 *
 * Nonces make every staged object write-once: a new tail or base never overwrites the one state.json
 * still names, so state.json is the single commit point of an append and a crash anywhere before it
 * leaves the previous state intact. Monolithic puts stage in an S3 multipart upload at the blob's own
 * key; its parts are invisible until the completion that follows verification.
 *
 * A commit of staged data publishes it in this order, each step durable before the next:
 *   1. CompleteMultipartUpload at data/<id>/<nonce> (the tail as last part);
 *   2. state.json rewritten to name it as the base, with `publishing: <digest>`;
 *   3. the pointer at blobs/<alg>/<hex> (If-None-Match: *, where honoured: a blob published meanwhile
 *      is kept, and this upload's data is then freed with it);
 *   4. the upload removed: every key it owns, except the data the pointer of `publishing` names.
 * A crash after 2 leaves an upload that either a retried commit (the blob is there, or is published
 * now) or an abort ends; both consult the pointer before deleting data, so neither strands a blob nor
 * leaks its bytes. A commit finding the digest already published only ends the upload.
 *
 * Part sizes follow one schedule by part number (partSize below: 5 MiB for the first 2,000 parts,
 * doubling every 2,000 parts up to 80 MiB), for resumable uploads and monolithic puts alike, so ECR's
 * largest layer (52,000 MiB) takes 5,100 parts of at most 20 MiB and one multipart upload holds up to
 * MAX_MULTIPART_BYTES (310,000 MiB); a byte beyond part 10,000 is refused with SizeLimitError. A writer
 * holds at most PARTS_IN_FLIGHT + 1 parts in memory (those uploading, one filling), so at most 5 × 20 MiB
 * for ECR's limit.
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

  /** A fresh key for a tail of `id`, never reused. */
  tailKey(id: string): string {
    return `${this.uploadPrefix(id)}tail-${randomUUID()}`;
  }

  /** A fresh key for the multipart upload of `id`, never reused: outside uploads/<id>/, so a commit can publish it in place. */
  dataKey(id: string): string {
    return `${this.root}data/${id}/${randomUUID()}`;
  }

  /** Whether `key` lies under uploads/<id>/ (so it goes when the upload goes): tails, and data staged by older versions. */
  inUpload(id: string, key: string): boolean {
    return key.startsWith(this.uploadPrefix(id));
  }

  /** How a pointer names the data key `key`: without the prefix, so the name stays valid wherever the prefix points. */
  targetName(key: string): string {
    const name = key.slice(this.root.length);
    if (!key.startsWith(this.root) || this.targetKey(name) === undefined) throw new RangeError(`${key} is not a data key`);
    return name;
  }

  /** The data key a pointer's name stands for; undefined for any name dataKey never gives out (so a pointer can lead nowhere else). */
  targetKey(name: string): string | undefined {
    const [data, id, nonce, ...rest] = name.split('/');
    const valid = data === 'data' && rest.length === 0 && id !== undefined && nonce !== undefined && isUploadId(id) && isUploadId(nonce);
    return valid ? `${this.root}${name}` : undefined;
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

/**
 * Parts a writer sends at once, each held in memory until S3 stored it, beside the one filling: so a
 * writer holds at most (PARTS_IN_FLIGHT + 1) parts, 25 MiB for nearly every layer (5 MiB parts) and
 * 100 MiB at ECR's largest (20 MiB parts). One part at a time leaves the stream waiting on each part's
 * round trip; four, as @aws-sdk/lib-storage's Upload sends, keep S3 as busy as a careful client does
 * (measured in tools/bench, `gateway`). The gateway's process stays within its memory budget because
 * it runs with a small V8 young generation (`--max-semi-space-size=2` in its task definition), not because
 * it holds fewer parts.
 */
export const PARTS_IN_FLIGHT = 4;

/** The largest object CopyObject (and the largest range UploadPartCopy) accepts in one request. */
export const MAX_SINGLE_COPY = 5 * 1024 * 1024 * 1024;

/** How many parts S3Objects.copyIntoParts makes of `size` bytes: ranges of at most MAX_SINGLE_COPY, split evenly. */
export function copyPartCount(size: number): number {
  return Math.max(1, Math.ceil(size / MAX_SINGLE_COPY));
}
