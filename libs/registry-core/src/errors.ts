import { RegistryError } from '@cargohold/oci';

export class NameUnknownError extends RegistryError {
  constructor(name: string) {
    super('NAME_UNKNOWN', `repository ${name} not found`, { detail: { name } });
  }
}

export class BlobUnknownError extends RegistryError {
  constructor(digest: string) {
    super('BLOB_UNKNOWN', `blob ${digest} not found in this repository`, { detail: { digest } });
  }
}

export class ManifestUnknownError extends RegistryError {
  constructor(reference: string, reason = 'manifest unknown') {
    super('MANIFEST_UNKNOWN', `${reason}: ${reference}`, { detail: { reference } });
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
