import { RegistryError, type RegistryErrorOptions } from '@cargohold/oci';

/** The manifest bytes are not a manifest cargohold accepts; the message says precisely why. */
export class ManifestInvalidError extends RegistryError {
  constructor(reason: string, options: RegistryErrorOptions = {}) {
    super('MANIFEST_INVALID', `manifest invalid: ${reason}`, options);
  }
}

/** The body exceeds MAX_MANIFEST_BYTES; nothing past the limit was looked at. */
export class ManifestTooLargeError extends RegistryError {
  constructor(size: number, limit: number) {
    super('SIZE_INVALID', `manifest of ${size} bytes exceeds the ${limit}-byte limit`, {
      status: 413,
      detail: { size, limit },
    });
  }
}
