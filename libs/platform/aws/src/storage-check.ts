import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { dynamoDbClient, s3Client, type AwsClients } from './aws-clients';
import type { AwsStorageLocation } from './aws-storage';

type Resource = 'bucket' | 'table';

/** How the operator names another bucket or table (`pass --bucket`, `set BUCKET`). */
export type StorageHints = Readonly<Record<Resource, string>>;

const FUNCTION_HINTS: StorageHints = { bucket: 'set BUCKET', table: 'set TABLE' };

/**
 * The bucket or the table could not be reached at start-up. The message names the resource, the cause
 * (the service's error code, or the SDK's message when there is none) and, when known, the fix; the SDK
 * error is kept as `cause`.
 */
export class AwsStorageUnreachableError extends Error {
  constructor(
    readonly resource: Resource,
    readonly resourceName: string,
    readonly reason: string,
    fix: string | undefined,
    cause: unknown,
  ) {
    super(`cannot reach ${resource} "${resourceName}" (${reason})${fix ? `: ${fix}` : ''}`, { cause });
    this.name = new.target.name;
  }
}

/**
 * One cheap read of the bucket and of the table, so that a long-lived server refuses to start on storage
 * it cannot use, with the reason, instead of failing on its first request (or its first purge) with a
 * bare "S3 ListObjectsV2 failed". Needs s3:ListBucket and dynamodb:DescribeTable.
 */
export async function checkAwsStorage(clients: AwsClients, location: AwsStorageLocation, hints: StorageHints = FUNCTION_HINTS): Promise<void> {
  // A listing under a prefix no key uses: the same permission and the same errors as any listing, an empty
  // answer whatever the bucket holds (s3rver answers InternalError to MaxKeys=1 over two or more keys).
  const Prefix = `${location.bucketPrefix ?? ''}.cargohold-start-check/`;
  await probe('bucket', location.bucket, hints, () => s3Client(clients).send(new ListObjectsV2Command({ Bucket: location.bucket, MaxKeys: 1, Prefix })));
  await probe('table', location.table, hints, () => dynamoDbClient(clients).send(new DescribeTableCommand({ TableName: location.table })));
}

async function probe(resource: Resource, name: string, hints: StorageHints, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    const reason = reasonOf(error);
    throw new AwsStorageUnreachableError(resource, name, reason, fixFor(resource, reason, hints), error);
  }
}

interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: unknown;
}

/** A service answer has a code worth quoting (NoSuchBucket); a client-side failure only its message. */
function reasonOf(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  if (e.$metadata !== undefined && e.name && e.name !== 'Error') return e.name;
  return e.code && e.message ? `${e.code}: ${e.message}` : (e.message ?? String(error));
}

const MISSING: Record<Resource, readonly string[]> = { bucket: ['NoSuchBucket', 'NotFound'], table: ['ResourceNotFoundException'] };
const DENIED = ['AccessDenied', 'AccessDeniedException', 'Forbidden', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'];

function fixFor(resource: Resource, reason: string, hints: StorageHints): string | undefined {
  if (MISSING[resource].includes(reason)) return `create it, or ${hints[resource]}`;
  if (/region is missing/i.test(reason)) return 'set AWS_REGION or AWS_DEFAULT_REGION';
  if (/could not load credentials/i.test(reason)) return 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
  if (DENIED.includes(reason)) return `check that these credentials may ${resource === 'bucket' ? 's3:ListBucket on it' : 'dynamodb:DescribeTable on it'}`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(reason))
    return `check the endpoint (${resource === 'bucket' ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL_DYNAMODB'})`;
  return undefined;
}
