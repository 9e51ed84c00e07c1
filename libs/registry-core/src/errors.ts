import { RegistryError } from '@cargohold/oci';

export class NameUnknownError extends RegistryError {
  constructor(name: string) {
    super('NAME_UNKNOWN', `repository ${name} not found`, { detail: { name } });
  }
}

export class BlobUnknownError extends RegistryError {
  constructor(digest: string, reason = 'not found in this repository') {
    super('BLOB_UNKNOWN', `blob ${digest} ${reason}`, { detail: { digest } });
  }
}

export class ManifestUnknownError extends RegistryError {
  constructor(reference: string, reason = 'manifest unknown') {
    super('MANIFEST_UNKNOWN', `${reason}: ${reference}`, { detail: { reference } });
  }
}

/**
 * A manifest whose stored bytes no longer hash to its digest. They were quarantined; like a blob in that
 * state the manifest reads as unknown (retrying cannot help) until a push of the same manifest heals it.
 */
export class ManifestCorruptError extends RegistryError {
  constructor(digest: string, reason: string) {
    super('MANIFEST_UNKNOWN', `stored bytes of manifest ${digest} failed verification (${reason}); push the manifest again`, {
      detail: { reference: digest, reason },
    });
  }
}

export class ManifestBlobUnknownError extends RegistryError {
  constructor(digest: string, what: 'blob' | 'manifest') {
    super('MANIFEST_BLOB_UNKNOWN', `manifest references ${what} ${digest}, which is not in this repository`, {
      detail: { digest },
    });
  }
}

export class RangeNotSatisfiableError extends RegistryError {
  constructor(size: number) {
    super('RANGE_INVALID', 'requested range not satisfiable', { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  }
}

export class PaginationInvalidError extends RegistryError {
  constructor(reason: string) {
    super('PAGINATION_NUMBER_INVALID', reason);
  }
}

export class UploadInvalidError extends RegistryError {
  constructor(reason: string, status = 400) {
    super('BLOB_UPLOAD_INVALID', reason, { status });
  }
}
