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
 *       ├── tail-<nonce>             bytes not yet flushed as a part (< 5 MiB, S3's minimum part size)
 *       ├── data-<nonce>             destination of the upload's multipart upload; after a commit whose
 *       │                            digest did not match, the assembled bytes stay here as the "base"
 *       └── …                        orphans of a crashed or rolled-back append; swept by commit/abort
 *
 * Nonces make every staged object write-once: a new tail or base never overwrites the one state.json
 * still names, so state.json is the single commit point of an append and a crash anywhere before it
 * leaves the previous state intact. Monolithic puts stage in an S3 multipart upload at the blob's own
 * key; its parts are invisible until the completion that follows verification.
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

/** S3's minimum size of every part but the last, and so the size of the parts this adapter writes. */
export const PART_SIZE = 5 * 1024 * 1024;

/** The largest object CopyObject (and the largest range UploadPartCopy) accepts in one request. */
export const MAX_SINGLE_COPY = 5 * 1024 * 1024 * 1024;
