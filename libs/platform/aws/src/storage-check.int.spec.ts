import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { AwsClients } from './aws-clients';
import { AwsStorageUnreachableError, checkAwsStorage } from './storage-check';
import { isolatedEmulatorEnv } from './testing';

/** The start-up check against s3rver and DynamoDB Local, with the SDK configured only by the environment. */
let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let table: string;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('check-blobs');
  dynamo = await startDynamoDbLocal();
  table = await dynamo.freshTable();
});

beforeEach(() => {
  process.env = isolatedEmulatorEnv(saved, { s3: s3.endpoint, dynamodb: dynamo.endpoint });
});

afterAll(async () => {
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
});

async function check(location: { bucket: string; table: string }, options: { region?: string } = { region: 'us-east-1' }): Promise<unknown> {
  const clients = new AwsClients({ ...options, s3ForcePathStyle: true });
  try {
    await checkAwsStorage(clients, location, { bucket: 'pass --bucket', table: 'pass --table' });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    clients.destroy();
  }
}

describe('checkAwsStorage', () => {
  it('passes over a bucket and a table that exist', async () => {
    expect(await check({ bucket: s3.bucket, table })).toBeUndefined();
  });

  it('names a missing bucket, the service error and the fix', async () => {
    const error = await check({ bucket: 'no-such-bucket', table });
    expect(error).toBeInstanceOf(AwsStorageUnreachableError);
    expect((error as Error).message).toBe('cannot reach bucket "no-such-bucket" (NoSuchBucket): create it, or pass --bucket');
  });

  it('names a missing table, the service error and the fix', async () => {
    const error = await check({ bucket: s3.bucket, table: 'no-such-table' });
    expect((error as Error).message).toBe('cannot reach table "no-such-table" (ResourceNotFoundException): create it, or pass --table');
  });

  it('says which variables name a region when none is found', async () => {
    delete process.env['AWS_REGION'];
    delete process.env['AWS_DEFAULT_REGION'];
    const error = await check({ bucket: s3.bucket, table }, {});
    expect((error as Error).message).toBe(`cannot reach bucket "${s3.bucket}" (Region is missing): set AWS_REGION or AWS_DEFAULT_REGION`);
  });
});
