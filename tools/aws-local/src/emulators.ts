import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import { createTable, TABLE_DEFINITION } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { BUCKET, QUEUES, TABLE, type DataLayout, type QueueKey, type ReplicaStack } from './topology';

export interface Emulators {
  readonly s3: S3rverHandle;
  readonly dynamodb: DynamoDbLocal;
  readonly sqs: LocalSqs;
  readonly queueUrls: Readonly<Record<QueueKey, string>>;
  readonly streamArn: string;
  stop(): Promise<void>;
}

/**
 * s3rver and DynamoDB Local keep their data under the data directory (a restart finds the bucket and the
 * table as it left them); the SQS emulator keeps messages in memory only, so queues are created afresh
 * at every start. The bucket, the table (TABLE_DEFINITION, stream included, as the tests create it) and
 * the queues are created as serverless.yml declares them, if missing; so are a replica stack's table and
 * bucket, on the same emulators.
 */
export async function startEmulators(layout: DataLayout, replica?: ReplicaStack): Promise<Emulators> {
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const emulator of started.reverse()) await emulator.stop().catch(() => undefined);
  };
  try {
    const s3 = await startS3rver(BUCKET, { directory: layout.s3 });
    started.push(s3);
    const dynamodb = await startDynamoDbLocal({ dbPath: layout.dynamodb });
    started.push(dynamodb);
    const sqs = await startLocalSqs();
    started.push(sqs);
    const streamArn = await ensureTable(dynamodb.client);
    const queueUrls = await createQueues(sqs.client);
    if (replica) {
      await ensureReplicaTable(dynamodb.client, replica.table);
      await ensureBucket(s3.client(), replica.bucket);
    }
    return { s3, dynamodb, sqs, queueUrls, streamArn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ensureTable(client: DynamoDBClient): Promise<string> {
  await createTable(client, TABLE, { timeoutMs: 30_000 });
  const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
  if (!Table?.LatestStreamArn) throw new Error(`table ${TABLE} has no stream`);
  return Table.LatestStreamArn;
}

/**
 * The replica stack's table, without a stream: here that stack runs no stream forwarder, and DynamoDB
 * Local serves a second table's stream badly (reads of the first one's then fail as trimmed).
 */
async function ensureReplicaTable(client: DynamoDBClient, table: string): Promise<void> {
  const { StreamSpecification: _stream, ...definition } = structuredClone(TABLE_DEFINITION);
  try {
    await client.send(new CreateTableCommand({ TableName: table, ...definition }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
}

async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Dead-letter queues first: a redrive policy names its DLQ by ARN. */
async function createQueues(client: SQSClient): Promise<Record<QueueKey, string>> {
  const urls = {} as Record<QueueKey, string>;
  const arns = {} as Record<QueueKey, string>;
  for (const [key, queue] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
    const attributes: Record<string, string> = {};
    if ('deadLetters' in queue) {
      attributes['VisibilityTimeout'] = String(queue.visibilityTimeoutSeconds);
      attributes['RedrivePolicy'] = JSON.stringify({ deadLetterTargetArn: arns[queue.deadLetters], maxReceiveCount: queue.maxReceiveCount });
    }
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
    if (!QueueUrl) throw new Error(`queue ${queue.name} was not created`);
    urls[key] = QueueUrl;
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    arns[key] = Attributes?.['QueueArn'] ?? '';
  }
  return urls;
}
