import type { SqsBatchLambda } from '@cargohold/lambda-kit';
import { lambdaContext, sqsEvent, sqsRecord } from '@cargohold/lambda-kit/testing';
import { AwsClients, openAwsStorage, type AwsStorage } from '@cargohold/platform-aws';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import type { Digest } from '@cargohold/storage-ports';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { describeWithUpstreamRegistry, startUpstreamRegistry, type PushedImage, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';

/**
 * The cache-syncer Lambda as deployed, over s3rver and DynamoDB Local, from a docker-registry upstream on
 * loopback: a queued reference is stored whole (every blob in S3, then the manifest and its tag), and a
 * record that is not a cache request fails alone, to be retried and dead-lettered.
 */
const REGISTRY = '000000000000:us-east-1';
const APP = { registry: REGISTRY, name: 'hub/library/app' };

describeWithUpstreamRegistry('the cache-syncer Lambda', () => {
  let s3: S3rverHandle;
  let dynamo: DynamoDbLocal;
  let upstream: UpstreamRegistryHandle;
  let storage: AwsStorage;
  let handler: SqsBatchLambda;
  let pushed: PushedImage;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver('ptc-worker-blobs');
    dynamo = await startDynamoDbLocal();
    upstream = await startUpstreamRegistry({ auth: 'none' });
    pushed = await upstream.pushImage('library/app', '1', { layers: [Buffer.from('w'.repeat(200_000)), Buffer.from('another layer')] });
    const table = await dynamo.freshTable();
    Object.assign(process.env, {
      BUCKET: s3.bucket,
      TABLE: table,
      TOKEN_KEY_BASE64: Buffer.alloc(32, 7).toString('base64'),
      ALLOW_DEFAULT_IDENTITIES: 'true',
      S3_FORCE_PATH_STYLE: 'true',
      LOG_LEVEL: 'silent',
      PULL_THROUGH_INSECURE_UPSTREAMS: upstream.registry,
      ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
    });
    delete process.env['AWS_PROFILE'];
    storage = openAwsStorage(new AwsClients({ region: 'us-east-1', s3ForcePathStyle: true }), { bucket: s3.bucket, table });
    const now = new Date().toISOString();
    await storage.registries.update(REGISTRY, (current) => ({
      ...current,
      pullThroughCacheRules: [
        { ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: upstream.registry, upstreamRepositoryPrefix: 'ROOT', createdAt: now, updatedAt: now },
      ],
    }));
    ({ handler } = await import('./cache-syncer.lambda'));
  });

  afterAll(async () => {
    process.env = saved;
    await upstream?.stop();
    await dynamo?.stop();
    await s3?.stop();
  });

  it('stores a queued reference with every blob before its tag, and fails only the record that is not a request', async () => {
    const request = { registry: REGISTRY, repository: APP.name, reference: '1' };

    const result = await handler(sqsEvent(sqsRecord('m-1', JSON.stringify(request)), sqsRecord('m-2', '{"reference":"1"}')), lambdaContext('cache-syncer'));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(await storage.manifests.resolveTag(APP, '1')).toBe(pushed.digest);
    for (const blob of [pushed.config, ...pushed.layers]) {
      expect(await storage.blobs.stat(blob.digest as Digest)).toEqual(expect.objectContaining({ found: true, size: blob.bytes.length }));
      expect((await storage.links.stat(APP, blob.digest as Digest)).found).toBe(true);
    }
  });

  it('drops a request for a repository no rule covers, acknowledging it', async () => {
    const request = { registry: REGISTRY, repository: 'other/app', reference: '1' };

    const result = await handler(sqsEvent(sqsRecord('m-3', JSON.stringify(request))), lambdaContext('cache-syncer'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(await storage.repositories.get({ registry: REGISTRY, name: 'other/app' })).toBeUndefined();
  });
});
