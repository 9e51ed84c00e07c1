import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { backfillReferenceHints, createTable } from '@cargohold/storage-dynamodb';
import { dynamoDbClient, s3Client, type AwsClients } from './aws-clients';
import type { AwsStorageLocation } from './aws-storage';

/** What happened to one resource or setting: made now, there already, or not supported by the endpoint. */
export interface BootstrapStep {
  readonly what: string;
  readonly outcome: 'created' | 'exists' | 'applied' | 'unsupported';
  readonly detail?: string;
}

/**
 * The days after which S3 aborts a multipart upload a crash left behind: the same rule serverless.yml
 * declares (tools/serverless/resources/storage.yml). It must stay longer than the longest upload session.
 */
const ABORT_INCOMPLETE_MULTIPART_DAYS = 1;

/**
 * `cargohold aws bootstrap`: creates the bucket and the table `serve --backend aws` needs, the way the
 * stack declares them (the table from TABLE_DEFINITION, the bucket with the stack's encryption, public
 * access block and multipart clean-up), so nobody writes the key schema by hand. Idempotent: what exists
 * is left as it is, except that an existing table gets the GC reference hints an older version did not
 * write. Emulators implement only part of S3's bucket settings; a setting the endpoint answers
 * NotImplemented to is reported as unsupported rather than failing the whole bootstrap.
 */
export async function bootstrapAwsStorage(clients: AwsClients, location: Pick<AwsStorageLocation, 'bucket' | 'table'>): Promise<BootstrapStep[]> {
  const steps: BootstrapStep[] = [await createBucket(clients, location.bucket)];
  const s3 = s3Client(clients);
  const Bucket = location.bucket;
  steps.push(
    await setting('bucket encryption (SSE-S3)', () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
        }),
      ),
    ),
    await setting('public access block', () =>
      s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        }),
      ),
    ),
    await setting(`abort incomplete multipart uploads after ${ABORT_INCOMPLETE_MULTIPART_DAYS} day`, () =>
      s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: {
            Rules: [
              {
                ID: 'abort-incomplete-multipart-uploads',
                Status: 'Enabled',
                Filter: { Prefix: '' },
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
              },
            ],
          },
        }),
      ),
    ),
  );
  const existed = await tableExists(clients, location.table);
  await createTable(dynamoDbClient(clients), location.table);
  steps.push({ what: `table ${location.table}`, outcome: existed ? 'exists' : 'created' });
  // A table written by a version before online GC lacks the reference hints a collection's claims read;
  // putting them is idempotent, so every bootstrap of an existing table makes sure they are there.
  if (existed) {
    const hints = await backfillReferenceHints({ client: dynamoDbClient(clients), table: location.table });
    steps.push({ what: 'GC reference hints', outcome: 'applied', detail: `${hints} put` });
  }
  return steps;
}

async function createBucket(clients: AwsClients, bucket: string): Promise<BootstrapStep> {
  const s3 = s3Client(clients);
  const region = await s3.config.region();
  try {
    // us-east-1 is the one region that refuses a LocationConstraint naming itself.
    const location = region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {};
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...location }));
    return { what: `bucket ${bucket}`, outcome: 'created' };
  } catch (error) {
    // Someone else's bucket of that name is an error; ours (or an emulator's "already exists") is not.
    if (nameOf(error) === 'BucketAlreadyOwnedByYou') return { what: `bucket ${bucket}`, outcome: 'exists' };
    if (nameOf(error) === 'BucketAlreadyExists' && !isAws(clients)) return { what: `bucket ${bucket}`, outcome: 'exists' };
    throw error;
  }
}

async function setting(what: string, apply: () => Promise<unknown>): Promise<BootstrapStep> {
  try {
    await apply();
    return { what, outcome: 'applied' };
  } catch (error) {
    if (nameOf(error) === 'NotImplemented') return { what, outcome: 'unsupported', detail: 'the endpoint does not implement it' };
    throw error;
  }
}

async function tableExists(clients: AwsClients, table: string): Promise<boolean> {
  try {
    await dynamoDbClient(clients).send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    if (nameOf(error) === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/** An endpoint set for S3 means an emulator or LocalStack, where bucket names are not global. */
function isAws(clients: AwsClients): boolean {
  return !clients.options.endpoints?.s3 && !process.env['AWS_ENDPOINT_URL_S3'] && !process.env['AWS_ENDPOINT_URL'];
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string; Code?: string }).name ?? (error as { Code?: string }).Code;
}
