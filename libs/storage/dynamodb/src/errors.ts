import { RegistryError } from '@cargohold/oci';

/**
 * The metadata table could not answer (network, missing table, permissions, a bug in a request). The
 * vendor error is kept as `cause` for logs; the edge answers a generic 500 and leaks none of it.
 */
export class MetadataStoreError extends Error {
  constructor(operation: string, cause: unknown) {
    super(`metadata store failed during ${operation}`, { cause });
    this.name = new.target.name;
  }
}

/** Seconds a client is told to wait before retrying after the table stayed busy or unavailable. */
export const METADATA_RETRY_AFTER_SECONDS = 1;
const retryAfter = { 'Retry-After': String(METADATA_RETRY_AFTER_SECONDS) };

/**
 * DynamoDB throttled the request even after the SDK's own retries: the client should back off and retry.
 * A 503 UNAVAILABLE with Retry-After, not a 429: docker retries a 5xx but gives up on TOOMANYREQUESTS,
 * and the table being busy is the registry's condition, not the client's rate.
 */
export class MetadataThrottledError extends RegistryError {
  constructor(operation: string, cause: unknown) {
    super('UNAVAILABLE', `metadata store is busy (${operation}); retry later`, { cause, headers: retryAfter });
  }
}

/**
 * DynamoDB failed transiently (a 5xx, a timeout, a dropped connection) on every one of the SDK's bounded
 * attempts. Nothing was acknowledged; the client should retry: a 503 with Retry-After, not a bare 500.
 */
export class MetadataUnavailableError extends RegistryError {
  constructor(operation: string, cause: unknown) {
    super('UNAVAILABLE', `metadata store is unavailable (${operation}); retry later`, { cause, headers: retryAfter });
  }
}

/** An optimistic read-modify-write kept losing to concurrent writers; nothing was written (a retryable 503). */
export class UpdateContentionError extends RegistryError {
  constructor(what: string, attempts: number) {
    super('UNAVAILABLE', `${what} is being updated concurrently; gave up after ${attempts} attempts`, { headers: retryAfter });
  }
}

/** `UploadSessionStore.create` of an id that exists (ids are server-generated, so this is a bug upstream). */
export class UploadSessionExistsError extends Error {
  constructor(id: string) {
    super(`upload session ${id} already exists`);
    this.name = new.target.name;
  }
}

/**
 * A lease holder (a vulnerability import) found another writer holding its lease: it had stalled past the
 * lease's TTL. It stops before writing more; what it wrote so far stays (each write is whole).
 */
export class LeaseLostError extends Error {
  constructor(lease: string) {
    super(`lost the lease ${lease} to another writer`);
    this.name = new.target.name;
  }
}

/**
 * A manifest whose write would need more items in one TransactWriteItems than DynamoDB allows (100): an
 * index with about a hundred children, or as many tags named in one push. Nothing was written (400).
 */
export class TransactionLimitError extends RegistryError {
  constructor(what: string, items: number, limit: number) {
    super('MANIFEST_INVALID', `${what} needs ${items} items in one transaction; DynamoDB allows ${limit}`, { status: 400, detail: { items, limit } });
  }
}

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException']);

const TRANSIENT = new Set(['InternalServerError', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout']);
const TRANSIENT_SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

/** Maps an SDK error to the adapter's vocabulary. ConditionalCheckFailed is handled before this, by callers. */
export function translate(operation: string, error: unknown): Error {
  const { name, code, $metadata } = (error ?? {}) as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof name === 'string' && THROTTLING.has(name)) return new MetadataThrottledError(operation, error);
  const status = $metadata?.httpStatusCode ?? 0;
  if ((typeof name === 'string' && TRANSIENT.has(name)) || (typeof code === 'string' && TRANSIENT_SOCKET.has(code)) || status >= 500) {
    return new MetadataUnavailableError(operation, error);
  }
  return new MetadataStoreError(operation, error);
}

export const isConditionFailure = (error: unknown): boolean => (error as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException';
