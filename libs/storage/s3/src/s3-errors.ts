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

/** Runs one SDK call, translating its failure into an S3StorageError. */
export async function s3Call<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new S3StorageError(operation, error);
  }
}
