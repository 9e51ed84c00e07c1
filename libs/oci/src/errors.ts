/**
 * The OCI Distribution error vocabulary. Every domain error in cargohold is a RegistryError carrying one
 * of these codes; the `/v2/` edge serializes it once (status from this table unless the error overrides
 * it), and the ECR API edge maps the same codes to AWS error names.
 */
export const OCI_ERROR_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  // Not in the OCI spec's table but in distribution's (errcode.ErrorCodeUnavailable): the storage behind the
  // registry failed transiently (still, after bounded retries); clients retry a 503.
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
} as const satisfies Record<string, { status: number; message: string }>;

export type OciErrorCode = keyof typeof OCI_ERROR_CODES;

export interface RegistryErrorOptions {
  /** Overrides the table's HTTP status (e.g. 413 for an oversize body, 416 for an out-of-order chunk). */
  status?: number;
  /** Machine-readable detail, serialized into the OCI error's `detail` field. Never internals. */
  detail?: unknown;
  /** Response headers the edge must add (e.g. `Range` on a 416 upload error). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Base class of every expected failure: the client did something the protocol says is wrong. */
export class RegistryError extends Error {
  readonly code: OciErrorCode;
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(code: OciErrorCode, message?: string, options: RegistryErrorOptions = {}) {
    super(message ?? OCI_ERROR_CODES[code].message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? OCI_ERROR_CODES[code].status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

/** The body OCI clients parse: `{"errors":[{"code","message","detail"}]}`. */
export function ociErrorBody(errors: readonly RegistryError[]): {
  errors: { code: OciErrorCode; message: string; detail?: unknown }[];
} {
  return {
    errors: errors.map((e) => (e.detail === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, detail: e.detail })),
  };
}
