import { RegistryError } from '@cargohold/oci';

/** The bytes a client sent do not hash to the digest it claimed. Nothing was made addressable. */
export class DigestMismatchError extends RegistryError {
  constructor(claimed: string, computed: string) {
    super('DIGEST_INVALID', `digest did not match content: claimed ${claimed}, computed ${computed}`, {
      detail: { claimed, computed },
    });
  }
}

/**
 * Stored bytes that no longer hash to their digest, or no longer have their recorded size: a disk or an
 * operator changed them after they were verified. They are quarantined when found, so the blob reads as
 * unknown (BLOB_UNKNOWN, 404: retrying cannot help, and `docker push` uploads a blob whose HEAD is 404,
 * which heals it) instead of a 5xx that clients would retry against the same bad bytes.
 */
export class BlobCorruptError extends RegistryError {
  constructor(digest: string, reason: string) {
    super('BLOB_UNKNOWN', `stored bytes of blob ${digest} failed verification (${reason}); push the blob again`, {
      detail: { digest, reason },
    });
  }
}

/** An append started somewhere other than the end of the staged data (an out-of-order chunk). */
export class UploadOffsetMismatchError extends RegistryError {
  readonly currentSize: number;
  constructor(expected: number, currentSize: number) {
    super('BLOB_UPLOAD_INVALID', `chunk starts at ${expected} but the upload holds ${currentSize} bytes`, {
      status: 416,
      headers: { Range: `0-${Math.max(currentSize - 1, 0)}` },
      detail: { expected, currentSize },
    });
    this.currentSize = currentSize;
  }
}

/** No staging area (or session) exists under that id: never created, completed, cancelled or purged. */
export class UploadUnknownError extends RegistryError {
  constructor(id: string) {
    super('BLOB_UPLOAD_UNKNOWN', `upload ${id} is unknown to the registry`);
  }
}

/** A body exceeded a configured cap; the partial data was discarded. */
export class SizeLimitError extends RegistryError {
  constructor(what: string, limit: number) {
    super('SIZE_INVALID', `${what} exceeds the limit of ${limit} bytes`, { status: 413, detail: { limit } });
  }
}

/** A body ended before the length the client declared (Content-Length / Content-Range). */
export class SizeMismatchError extends RegistryError {
  constructor(declared: number, received: number) {
    super('SIZE_INVALID', `declared ${declared} bytes but received ${received}`, { detail: { declared, received } });
  }
}

/** Deleting a manifest that an image index in the same repository still references. */
export class ManifestReferencedError extends RegistryError {
  constructor(digest: string, parents: readonly string[]) {
    super('DENIED', `manifest ${digest} is referenced by image index ${parents.join(', ')}`, {
      status: 409,
      detail: { digest, referencedBy: parents },
    });
  }
}

/**
 * A manifest whose closure is not in the repository at the moment it would be recorded: a child manifest
 * is not a manifest of the repository, or a blob is not linked there (invariant 3). Nothing was recorded.
 */
export class ManifestClosureError extends RegistryError {
  constructor(digest: string, missing: 'manifest' | 'blob') {
    super('MANIFEST_BLOB_UNKNOWN', `manifest references ${missing} ${digest}, which is not in the repository`, {
      detail: { digest, missing },
    });
  }
}

/** Unlinking a blob that a manifest in the same repository still lists among its `blobs`. */
export class BlobReferencedError extends RegistryError {
  constructor(digest: string, manifests: readonly string[]) {
    super('DENIED', `blob ${digest} is referenced by manifest ${manifests.join(', ')}`, {
      status: 409,
      detail: { digest, referencedBy: manifests },
    });
  }
}

/**
 * A put would move a tag it was told must stay where it is (ManifestPutOptions.immutableTags): the tag
 * already points at another digest. Nothing of the put moved a tag.
 */
export class TagConflictError extends RegistryError {
  readonly tag: string;
  readonly current: string;
  constructor(tag: string, current: string) {
    super('TAG_INVALID', `tag ${tag} already points at ${current} and may not be moved`, { status: 400, detail: { tag, current } });
    this.tag = tag;
    this.current = current;
  }
}
