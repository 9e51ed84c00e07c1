import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { toEcrEvents, type RegistryEvent } from '@cargohold/events';
import { eventsFromStreamRecord } from '@cargohold/events-aws';
import { S3Client } from '@aws-sdk/client-s3';
import { lambdaStreamRecord, startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import type { ScheduleLambda, SqsBatchLambda } from '@cargohold/lambda-kit';
import { lambdaContext, scheduledEvent, sqsEvent, sqsRecord } from '@cargohold/lambda-kit/testing';
import { digestOf, type Digest } from '@cargohold/oci';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { createRegistry, type Registry } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';

/**
 * Both lifecycle-sweeper Lambdas exactly as deployed (environment and all) over s3rver, DynamoDB Local and
 * an SQS emulator: the schedule fans out one request per repository with a policy; the worker, fed the
 * messages the queue holds, sweeps each repository.
 */
const REGISTRY = '000000000000:us-east-1';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EXPIRE_UNTAGGED = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'one untagged',
      selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 },
      action: { type: 'expire' },
    },
  ],
});

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let sqs: LocalSqs;
let queueUrl: string;
let table: string;
let registry: Registry;
let schedule: ScheduleLambda;
let worker: SqsBatchLambda;
const saved = { ...process.env };

beforeAll(async () => {
  [s3, dynamo, sqs] = await Promise.all([startS3rver('sweeper-blobs'), startDynamoDbLocal(), startLocalSqs()]);
  table = await dynamo.freshTable();
  ({ queueUrl } = await sqs.queueWithDeadLetters('sweep'));
  Object.assign(process.env, {
    BUCKET: s3.bucket,
    TABLE: table,
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    SWEEP_QUEUE_URL: queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  const blobs = createS3BlobStorage({ client: new S3Client({ forcePathStyle: true }), bucket: s3.bucket });
  const metadata = createDynamoMetadata({ client: dynamo.client, table });
  registry = createRegistry({ storage: { ...blobs, ...metadata, close: async () => undefined } });
  ({ handler: schedule } = await import('./schedule.lambda'));
  ({ handler: worker } = await import('./worker.lambda'));
});

afterAll(async () => {
  process.env = saved;
  await sqs?.stop();
  await dynamo?.stop();
  await s3?.stop();
});

async function* bytesOf(blob: Buffer): AsyncIterable<Uint8Array> {
  yield blob;
}

/** Pushes a one-layer image by tag, or untagged (by digest) when `tag` is undefined. */
async function push(name: string, seed: string, tag?: string): Promise<Digest> {
  const repo = { registry: REGISTRY, name };
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layer = Buffer.from(`layer ${seed}`);
  for (const blob of [config, layer]) await registry.uploads.putMonolithic(repo, digestOf(blob), bytesOf(blob));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
    }),
  );
  const pushed = await registry.manifests.put(repo, tag ?? digestOf(manifest), manifest, OCI_MANIFEST);
  await new Promise((resolve) => setTimeout(resolve, 5));
  return pushed.digest;
}

async function drain(): Promise<{ messageId: string; body: string }[]> {
  const out = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return (out.Messages ?? []).map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '' }));
}

/** Every event the table's stream carries so far, as the stream forwarder derives them. */
async function streamEvents(): Promise<RegistryEvent[]> {
  const streamArn = (await dynamo.client.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn ?? '';
  const streams = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
  const events: RegistryEvent[] = [];
  try {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const start = { StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' as const };
      let iterator = (await streams.send(new GetShardIteratorCommand(start))).ShardIterator;
      while (iterator) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        for (const record of out.Records ?? []) events.push(...eventsFromStreamRecord(lambdaStreamRecord(record, streamArn)));
        if ((out.Records ?? []).length === 0) break;
        iterator = out.NextShardIterator;
      }
    }
  } finally {
    streams.destroy();
  }
  return events;
}

const digestsOf = async (name: string) =>
  (await registry.images.describe({ registry: REGISTRY, name }, undefined, 'ANY', 100)).details.map((d) => d.record.digest).sort();

describe('lifecycle-sweeper Lambdas', () => {
  it('the schedule requests a sweep of each repository with a policy; the worker expires what the policy selects', async () => {
    const old = [await push('team/app', 'u1'), await push('team/app', 'u2')];
    const newest = await push('team/app', 'u3');
    const tagged = await push('team/app', 't1', 'v1');
    await push('team/other', 'o1');
    await push('team/other', 'o2');
    await registry.lifecycle.put({ registry: REGISTRY, name: 'team/app' }, EXPIRE_UNTAGGED);

    await schedule(scheduledEvent(), lambdaContext());
    const messages = await drain();

    expect(messages.map((m) => JSON.parse(m.body))).toEqual([{ registry: REGISTRY, repository: 'team/app' }]);

    const answer = await worker(sqsEvent(...messages.map((m) => sqsRecord(m.messageId, m.body))), lambdaContext());

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(await digestsOf('team/app')).toEqual([newest, tagged].sort());
    expect(await digestsOf('team/app')).not.toEqual(expect.arrayContaining(old));
    expect(await digestsOf('team/other')).toHaveLength(2);
    expect((await registry.lifecycle.get({ registry: REGISTRY, name: 'team/app' })).lastEvaluatedAt).toEqual(expect.any(Date));
    // The table stream turns the expiries into ECR's `ECR Image Action` events with action-type EXPIRE.
    const actions = (await streamEvents()).filter((e) => e.type === 'image.deleted').flatMap(toEcrEvents);
    expect(actions.map((e) => [e.detail['image-digest'], e.detail['action-type']]).sort()).toEqual(old.map((digest) => [digest, 'EXPIRE']).sort());
  });

  it('fails a malformed request alone, so it is retried and then dead-lettered', async () => {
    const answer = await worker(
      sqsEvent(sqsRecord('bad', '{"registry":1}'), sqsRecord('ok', JSON.stringify({ registry: REGISTRY, repository: 'team/none' }))),
      lambdaContext(),
    );

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});
