import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { newEvent } from '@cargohold/events';
import type { SqsBatchLambda } from '@cargohold/lambda-kit';
import { lambdaContext, sqsEvent, sqsRecord } from '@cargohold/lambda-kit/testing';
import { digestOf } from '@cargohold/oci';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { createRegistry, type Registry } from '@cargohold/registry-core';
import { createDynamoMetadata, type DynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';

/**
 * The replicator Lambda exactly as deployed (main.lambda.ts, environment and all), over s3rver and
 * DynamoDB Local with two regions' stacks: us-east-1 (its own table and bucket) and us-west-2 (another
 * table and bucket, named in REPLICA_TABLES). A push to the east is replicated into the west stack, blobs
 * copied server-side between the buckets.
 */
const EAST = '000000000000:us-east-1';
const WEST = '000000000000:us-west-2';
const WEST_BUCKET = 'replicator-west-blobs';
const app = { registry: EAST, name: 'team/app' };
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
  return { layer, blobs: [config, layer], manifest, digest: digestOf(manifest), mediaType: OCI_MANIFEST };
}

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let east: Registry;
let westMetadata: DynamoMetadata;
let westBlobs: ReturnType<typeof createS3BlobStorage>['blobs'];
let eastMetadata: DynamoMetadata;
let handler: SqsBatchLambda;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('replicator-east-blobs');
  dynamo = await startDynamoDbLocal();
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
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  eastMetadata = createDynamoMetadata({ client: dynamo.client, table: eastTable });
  east = createRegistry({ storage: { ...createS3BlobStorage({ client, bucket: s3.bucket }), ...eastMetadata, close: async () => undefined } });
  westMetadata = createDynamoMetadata({ client: dynamo.client, table: westTable });
  westBlobs = createS3BlobStorage({ client, bucket: WEST_BUCKET }).blobs;
  ({ handler } = await import('./main.lambda'));
});

afterAll(async () => {
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
});

describe('replicator Lambda', () => {
  it('replicates a push into another region’s table and bucket, copying the blobs between buckets', async () => {
    const image = ociImage('east');
    for (const blob of image.blobs) await east.uploads.putMonolithic(app, digestOf(blob), bodyOf(blob));
    await east.manifests.put(app, 'v1', image.manifest, image.mediaType);
    await east.replication.putConfiguration(EAST, { rules: [{ destinations: [{ region: 'us-west-2', registryId: '000000000000' }] }] });
    const pushed = newEvent(
      'image.pushed',
      { ...{ registry: EAST, repository: app.name }, digest: image.digest, mediaType: image.mediaType, tags: ['v1'] },
      new Date(),
      crypto.randomUUID(),
    );

    const result = await handler(sqsEvent(sqsRecord('m-1', JSON.stringify(pushed))), lambdaContext('replicator'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await westMetadata.manifests.resolveTag({ registry: WEST, name: app.name }, 'v1')).toBe(image.digest);
    const layer = await westBlobs.open(digestOf(image.layer));
    expect(layer.found && (await readAll(layer.body)).equals(image.layer)).toBe(true);
    expect(await eastMetadata.replications.list(app, image.digest)).toEqual([expect.objectContaining({ region: 'us-west-2', status: 'COMPLETE' })]);
  });

  it('fails a record that is not a registry event, alone', async () => {
    const result = await handler(sqsEvent(sqsRecord('m-2', '{"type":"nope"}')), lambdaContext('replicator'));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
  });
});
