import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ScheduleLambda } from '@cargohold/lambda-kit';
import { lambdaContext, scheduledEvent } from '@cargohold/lambda-kit/testing';
import { digestOf } from '@cargohold/oci';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { createRegistry, type Registry } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import type { Logger } from 'pino';

/**
 * The gc Lambda exactly as deployed (environment and all, grace 0) over s3rver and DynamoDB Local: an image
 * and a blob nothing references are pushed through the core; a run with no time left stops at once with a
 * partial report, and a full run removes the unreferenced blob's bytes from the bucket and keeps the image.
 */
const REPO = { registry: '000000000000:us-east-1', name: 'team/app' };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let registry: Registry;
let bucket: S3Client;
let handler: ScheduleLambda;
let logger: Logger;
const saved = { ...process.env };

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startS3rver('gc-blobs'), startDynamoDbLocal()]);
  const table = await dynamo.freshTable();
  Object.assign(process.env, {
    BUCKET: s3.bucket,
    TABLE: table,
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    GC_GRACE_SECONDS: '0',
    AWS_LAMBDA_FUNCTION_NAME: 'cargohold-test-gc',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  bucket = new S3Client({ forcePathStyle: true });
  const blobs = createS3BlobStorage({ client: bucket, bucket: s3.bucket });
  const metadata = createDynamoMetadata({ client: dynamo.client, table });
  registry = createRegistry({ storage: { ...blobs, ...metadata, close: async () => undefined } });
  ({ handler, logger } = await import('./gc.lambda'));
});

afterAll(async () => {
  process.env = saved;
  bucket?.destroy();
  await dynamo?.stop();
  await s3?.stop();
});

async function* bytesOf(blob: Buffer): AsyncIterable<Uint8Array> {
  yield blob;
}

async function push(): Promise<{ manifest: Buffer; layers: Buffer[] }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
  const layer = Buffer.from('a layer the image lists');
  for (const blob of [config, layer]) await registry.uploads.putMonolithic(REPO, digestOf(blob), bytesOf(blob));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
    }),
  );
  await registry.manifests.put(REPO, 'v1', manifest, OCI_MANIFEST);
  return { manifest, layers: [config, layer] };
}

/** Whether the bucket holds the blob's object (blobs/<alg>/<hex>, s3-layout.ts). */
async function inBucket(blob: Buffer): Promise<boolean> {
  const [algorithm, hex] = digestOf(blob).split(':');
  try {
    await bucket.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `blobs/${algorithm}/${hex}` }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

const withRemaining = (ms: number) => ({ ...lambdaContext('cargohold-test-gc'), getRemainingTimeInMillis: () => ms });

describe('gc Lambda', () => {
  it('stops at once with a partial report when the invocation has no time left, and then collects the unreferenced blob', async () => {
    const image = await push();
    const stray = Buffer.from('a layer pushed and never referenced');
    await registry.uploads.putMonolithic(REPO, digestOf(stray), bytesOf(stray));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past grace 0 by S3's one-second LastModified
    const warn = jest.spyOn(logger, 'warn');
    const info = jest.spyOn(logger, 'info');

    await handler(scheduledEvent(), withRemaining(30_000));

    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ gc: expect.objectContaining({ complete: false, blobsScanned: 0 }), GcIncomplete: 1 }),
      expect.any(String),
    );
    expect(await inBucket(stray)).toBe(true);

    await handler(scheduledEvent(), withRemaining(900_000));

    const [line] = info.mock.calls.at(-1) as unknown as [Record<string, unknown>];
    expect(line['gc']).toMatchObject({ complete: true, blobsScanned: 4, blobsDeleted: 1, bytesReclaimed: stray.length, linksRemoved: 1 });
    expect(line).toMatchObject({ Service: 'cargohold-test-gc', GcBlobsDeleted: 1, GcBytesReclaimed: stray.length, GcIncomplete: 0 });
    expect(line['_aws']).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'cargohold', Dimensions: [['Service']] }] });
    expect(await inBucket(stray)).toBe(false);
    for (const blob of [image.manifest, ...image.layers]) expect(await inBucket(blob)).toBe(true);
    const pulled = await registry.manifests.get(REPO, 'v1', undefined);
    expect(pulled.bytes.equals(image.manifest)).toBe(true);
    for (const blob of image.layers) expect((await registry.blobs.stat(REPO, digestOf(blob))).size).toBe(blob.length);
  });
});
