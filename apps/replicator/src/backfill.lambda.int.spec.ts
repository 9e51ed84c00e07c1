import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SqsBackfillRequests } from '@cargohold/events-aws';
import { startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import type { SqsBatchLambda } from '@cargohold/lambda-kit';
import { lambdaContext, sqsEvent, sqsRecord } from '@cargohold/lambda-kit/testing';
import { digestOf, type Digest } from '@cargohold/oci';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { createRegistry, type Registry } from '@cargohold/registry-core';
import { createDynamoMetadata, type DynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import type { Context } from 'aws-lambda';

/**
 * Replication backfill on AWS, end to end over DynamoDB Local, s3rver and local SQS: the ECR API's runner
 * (SqsBackfillRequests, as apps/ecr-api wires it) records the backfill and queues it on the replicator's
 * queue; the replicator Lambda exactly as deployed (main.lambda.ts) takes the messages, replicates images
 * pushed before the rule into the us-west-2 stack (its own table and bucket), and continues on its own
 * queue when the invocation nears its timeout.
 */
const WEST_BUCKET = 'backfill-west-blobs';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function* bodyOf(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A one-layer OCI image: its blobs and its manifest. */
function ociImage(seed: string) {
  const config = Buffer.from(`{"architecture":"${seed}","os":"linux"}`);
  const layer = Buffer.from(`layer ${seed}`);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
    }),
  );
  return { layer, blobs: [config, layer], manifest, digest: digestOf(manifest) };
}

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let sqs: LocalSqs;
let queueUrl: string;
let east: Registry;
let westMetadata: DynamoMetadata;
let westBlobs: ReturnType<typeof createS3BlobStorage>['blobs'];
let handler: SqsBatchLambda;
const saved = { ...process.env };

/** A context with this much time left: under the replicator's margin, a slice handles one image and continues. */
const contextWith = (remainingMs: number): Context => ({ ...lambdaContext('replicator'), getRemainingTimeInMillis: () => remainingMs });

/** Pushes one image per repository name into `account`'s us-east-1 registry; answers repository and digest of each. */
async function push(account: string, names: readonly string[]) {
  const pushed: { name: string; digest: Digest; layer: Buffer }[] = [];
  for (const [i, name] of names.entries()) {
    const image = ociImage(`${account}-${name}-${i}`);
    const repo = { registry: `${account}:us-east-1`, name };
    for (const blob of image.blobs) await east.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
    await east.manifests.put(repo, `v${i}`, image.manifest, OCI_MANIFEST);
    pushed.push({ name, digest: image.digest, layer: image.layer });
  }
  return pushed;
}

/** Takes up to `max` messages off the replicator queue into one handler invocation; answers how many it took. */
async function deliver(context: Context, max = 10): Promise<number> {
  const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 0 }));
  if (Messages.length === 0) return 0;
  const result = await handler(sqsEvent(...Messages.map((m) => sqsRecord(m.MessageId ?? '', m.Body ?? ''))), context);
  expect(result).toEqual({ batchItemFailures: [] });
  for (const m of Messages) await sqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  return Messages.length;
}

/** Runs the replicator on its queue until the queue is empty, as the event source mapping would; answers the invocations. */
async function drain(context: Context): Promise<number> {
  let invocations = 0;
  while ((await deliver(context)) > 0) invocations++;
  return invocations;
}

beforeAll(async () => {
  s3 = await startS3rver('backfill-east-blobs');
  dynamo = await startDynamoDbLocal();
  sqs = await startLocalSqs();
  ({ queueUrl } = await sqs.queueWithDeadLetters('replicator'));
  const [eastTable, westTable] = [await dynamo.freshTable(), await dynamo.freshTable()];
  const client = new S3Client({
    forcePathStyle: true,
    endpoint: s3.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await s3.client().send(new CreateBucketCommand({ Bucket: WEST_BUCKET }));
  Object.assign(process.env, {
    BUCKET: s3.bucket,
    TABLE: eastTable,
    REPLICA_TABLES: JSON.stringify({ 'us-west-2': { table: westTable, bucket: WEST_BUCKET } }),
    REPLICATOR_QUEUE_URL: queueUrl,
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  });
  delete process.env['AWS_PROFILE'];
  const eastMetadata = createDynamoMetadata({ client: dynamo.client, table: eastTable });
  east = createRegistry({
    storage: { ...createS3BlobStorage({ client, bucket: s3.bucket }), ...eastMetadata, close: async () => undefined },
    backfillRunner: new SqsBackfillRequests({ client: sqs.client, queueUrl }),
  });
  westMetadata = createDynamoMetadata({ client: dynamo.client, table: westTable });
  westBlobs = createS3BlobStorage({ client, bucket: WEST_BUCKET }).blobs;
  ({ handler } = await import('./main.lambda'));
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await sqs?.stop();
  await dynamo?.stop();
  await s3?.stop();
});

describe('replication backfill on AWS (ECR API → replicator queue → replicator Lambda)', () => {
  it('replicates images pushed before the rule, one slice per invocation near the timeout, and ends COMPLETE with the counts', async () => {
    const account = '000000000000';
    const pushed = await push(account, ['team/api', 'team/web', 'team/web']);
    const west = { region: 'us-west-2', registryId: account };
    await east.replication.putConfiguration(`${account}:us-east-1`, { rules: [{ destinations: [west] }] });

    const started = await east.replication.backfills.start(`${account}:us-east-1`, west);
    expect(started.status).toBe('PREPARING');
    // 30 s left (under the 120 s margin): every invocation replicates one image and queues the rest.
    const invocations = await drain(contextWith(30_000));

    expect(invocations).toBe(3);
    const [listed] = await east.replication.backfills.list(`${account}:us-east-1`);
    expect(listed).toMatchObject({ id: started.id, status: 'COMPLETE', progress: { total: 3, completed: 3, failed: 0, failureCodes: [] } });
    expect(listed?.endedAt).toEqual(expect.any(String));
    expect(new Set(listed?.results.map((r) => `${r.repositoryName}@${r.imageDigest}:${r.status}`))).toEqual(
      new Set(pushed.map((p) => `${p.name}@${p.digest}:COMPLETE`)),
    );
    for (const { name, digest, layer } of pushed) {
      expect(await westMetadata.manifests.get({ registry: `${account}:us-west-2`, name }, digest)).toBeDefined();
      const blob = await westBlobs.open(digestOf(layer));
      expect(blob.found && (await readAll(blob.body)).equals(layer)).toBe(true);
    }
  });

  it('runs a whole backfill in one invocation when time allows', async () => {
    const account = '333333333333';
    const pushed = await push(account, ['solo/one', 'solo/two']);
    const west = { region: 'us-west-2', registryId: account };
    await east.replication.putConfiguration(`${account}:us-east-1`, { rules: [{ destinations: [west] }] });
    const { id } = await east.replication.backfills.start(`${account}:us-east-1`, west);

    expect(await drain(contextWith(600_000))).toBe(1);

    expect(await east.replication.backfills.get(`${account}:us-east-1`, id)).toMatchObject({ status: 'COMPLETE', progress: { total: 2, completed: 2 } });
    for (const { name, digest } of pushed) expect(await westMetadata.manifests.get({ registry: `${account}:us-west-2`, name }, digest)).toBeDefined();
  });

  it('honours StopReplicationBackfill between slices: STOPPED, the rest never replicated', async () => {
    const account = '222222222222';
    const pushed = await push(account, ['halt/a', 'halt/b', 'halt/c']);
    const west = { region: 'us-west-2', registryId: account };
    await east.replication.putConfiguration(`${account}:us-east-1`, { rules: [{ destinations: [west] }] });
    const { id } = await east.replication.backfills.start(`${account}:us-east-1`, west);

    expect(await deliver(contextWith(30_000), 1)).toBe(1);
    expect(await east.replication.backfills.get(`${account}:us-east-1`, id)).toMatchObject({ status: 'IN_PROGRESS', progress: { total: 1 } });
    expect((await east.replication.backfills.stop(`${account}:us-east-1`, id)).status).toBe('STOPPING');
    expect(await drain(contextWith(30_000))).toBe(1);

    const stopped = await east.replication.backfills.get(`${account}:us-east-1`, id);
    expect(stopped).toMatchObject({ status: 'STOPPED', progress: { total: 1, completed: 1 } });
    const replicated = await Promise.all(
      pushed.map(async (p) => (await westMetadata.manifests.get({ registry: `${account}:us-west-2`, name: p.name }, p.digest)) !== undefined),
    );
    expect(replicated).toEqual([true, false, false]);
  });
});
