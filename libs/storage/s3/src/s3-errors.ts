import { RegistryError } from '@cargohold/oci';

/**
 * The vendor boundary: every S3 call goes through `s3Call`, so an SDK exception never reaches the core.
 * Expected misses are recognised by callers with the predicates below (and become `found: false` or a
 * ports error); anything else becomes an S3StorageError that names the operation and keeps the SDK
 * error only as `cause`, for logs.
 */
export class S3StorageError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`S3 ${operation} failed`, { cause });
    this.name = 'S3StorageError';
  }
}

/** Seconds a client is told to wait before retrying after S3 stayed unavailable. */
export const S3_RETRY_AFTER_SECONDS = 1;

/**
 * S3 failed transiently (500 InternalError, 503 SlowDown, a timeout, a dropped connection) on every one of
 * the SDK's bounded attempts. Nothing was acknowledged; the client should retry: a 503 with Retry-After,
 * never a bare 500 that reads like a bug.
 */
export class S3UnavailableError extends RegistryError {
  constructor(operation: string, cause: unknown) {
    super('UNAVAILABLE', `blob storage is unavailable (${operation}); retry later`, { cause, headers: { 'Retry-After': String(S3_RETRY_AFTER_SECONDS) } });
  }
}

interface SdkErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function sdkError(error: unknown): SdkErrorShape {
  const cause = error instanceof S3StorageError ? error.cause : error;
  return typeof cause === 'object' && cause !== null ? (cause as SdkErrorShape) : {};
}

const hasName = (error: unknown, names: readonly string[]): boolean => {
  const { name, Code } = sdkError(error);
  return names.includes(name ?? '') || names.includes(Code ?? '');
};
const statusOf = (error: unknown): number | undefined => sdkError(error).$metadata?.httpStatusCode;

/** The object (or upload) is not there: GetObject's NoSuchKey, HeadObject's bare 404. */
export const isNotFound = (error: unknown): boolean =>
  !hasName(error, ['NoSuchBucket']) && (hasName(error, ['NoSuchKey', 'NotFound', 'NoSuchUpload']) || statusOf(error) === 404);

/** A conditional write lost: If-Match/If-None-Match failed, or a concurrent conditional write won. */
export const isConditionFailed = (error: unknown): boolean => hasName(error, ['PreconditionFailed', 'ConditionalRequestConflict']) || statusOf(error) === 412;

/** The endpoint does not implement the operation (S3 emulators: UploadPartCopy, AbortMultipartUpload). */
export const isUnsupported = (error: unknown): boolean =>
  hasName(error, ['NotImplemented', 'MethodNotAllowed']) || statusOf(error) === 501 || statusOf(error) === 405;

const TRANSIENT_CODES = ['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeTooSkewed', 'TimeoutError', 'ThrottlingException'];
/** Socket-level failures the SDK's retry strategy also treats as transient. */
const TRANSIENT_SOCKET = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED'];

/** A failure that outlived the SDK's retries but may well succeed later: throttling, a 5xx, a timeout. */
export const isTransient = (error: unknown): boolean => {
  const status = statusOf(error);
  const code = (sdkError(error) as { code?: string }).code;
  return hasName(error, TRANSIENT_CODES) || (status !== undefined && status >= 500 && status !== 501) || TRANSIENT_SOCKET.includes(code ?? '');
};

/** The error an S3 call's failure becomes at the boundary: retryable (503) or internal (500). */
export const s3Failure = (operation: string, error: unknown): Error =>
  isTransient(error) ? new S3UnavailableError(operation, error) : new S3StorageError(operation, error);

/** Runs one SDK call, translating its failure into an S3UnavailableError or S3StorageError. */
export async function s3Call<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw s3Failure(operation, error);
  }
}
