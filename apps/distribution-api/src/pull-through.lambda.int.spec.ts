import { createHash } from 'node:crypto';
import { issueToken } from '@cargohold/auth';
import type { HttpApiLambda } from '@cargohold/lambda-kit';
import { httpApiEvent, lambdaContext, scheduledEvent } from '@cargohold/lambda-kit/testing';
import { AwsClients, openAwsStorage } from '@cargohold/platform-aws';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { describeWithUpstreamRegistry, startUpstreamRegistry, type PushedImage, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';

/**
 * The pull-through cache in the /v2/ Lambda as deployed, over s3rver and DynamoDB Local, from a
 * docker-registry upstream on loopback: the manifest and its blobs are stored within the invocation,
 * and blobs are then served as every blob is on AWS, by a 307 to a presigned S3 URL.
 */
const TOKEN_KEY = Buffer.alloc(32, 9);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const REGISTRY = '000000000000:us-east-1';

describeWithUpstreamRegistry('pull-through cache in the /v2/ Lambda', () => {
  let s3: S3rverHandle;
  let dynamo: DynamoDbLocal;
  let upstream: UpstreamRegistryHandle;
  let handler: HttpApiLambda;
  let pushed: PushedImage;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver('ptc-blobs');
    dynamo = await startDynamoDbLocal();
    upstream = await startUpstreamRegistry({ auth: 'none' });
    pushed = await upstream.pushImage('library/app', '1', { layers: [Buffer.from('x'.repeat(70_000)), Buffer.from('second layer')] });
    const table = await dynamo.freshTable();
    Object.assign(process.env, {
      BUCKET: s3.bucket,
      TABLE: table,
      TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64'),
      ALLOW_DEFAULT_IDENTITIES: 'true',
      S3_FORCE_PATH_STYLE: 'true',
      LOG_LEVEL: 'silent',
      PULL_THROUGH_INSECURE_UPSTREAMS: upstream.registry,
      ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
    });
    delete process.env['AWS_PROFILE'];
    // The rule as CreatePullThroughCacheRule stores it: in the registry's settings item.
    const storage = openAwsStorage(new AwsClients({ region: 'us-east-1', s3ForcePathStyle: true }), { bucket: s3.bucket, table });
    const now = new Date().toISOString();
    await storage.registries.update(REGISTRY, (current) => ({
      ...current,
      pullThroughCacheRules: [
        { ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: upstream.registry, upstreamRepositoryPrefix: 'ROOT', createdAt: now, updatedAt: now },
      ],
    }));
    ({ handler } = await import('./main.lambda'));
  });

  afterAll(async () => {
    process.env = saved;
    await upstream?.stop();
    await dynamo?.stop();
    await s3?.stop();
  });

  const { token } = issueToken({ accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:user/admin', registry: REGISTRY }, TOKEN_KEY, {
    now: new Date(),
  });

  async function invoke(method: string, target: string, headers: Record<string, string> = {}) {
    const event = httpApiEvent({ method, target, headers: { authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`, ...headers } });
    const result = await handler(event, lambdaContext('distribution-api'));
    return { status: result.statusCode, headers: result.headers ?? {}, bytes: Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8') };
  }

  it('answers a first pull with the upstream manifest byte for byte, and its layers through presigned S3 URLs', async () => {
    const manifest = await invoke('GET', '/v2/hub/library/app/manifests/1', { accept: pushed.mediaType });
    const layer = pushed.layers[0] as { digest: string; bytes: Buffer };
    const blob = await invoke('GET', `/v2/hub/library/app/blobs/${layer.digest}`);
    const download = await fetch(String(blob.headers['Location']));

    expect(manifest.status).toBe(200);
    expect(manifest.bytes.equals(pushed.bytes)).toBe(true);
    expect(manifest.headers['Docker-Content-Digest']).toBe(pushed.digest);
    expect(blob.status).toBe(307);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(layer.digest);
  });

  it('stores a blob pulled before its manifest, then redirects to it: no layer in a Lambda response', async () => {
    const other = await upstream.pushImage('library/other', '1', { layers: [Buffer.from('only fetched by digest')] });
    const layer = other.layers[0] as { digest: string; bytes: Buffer };

    const blob = await invoke('GET', `/v2/hub/library/other/blobs/${layer.digest}`);
    const download = await fetch(String(blob.headers['Location']));

    expect(blob.status).toBe(307);
    expect(Buffer.from(await download.arrayBuffer()).equals(layer.bytes)).toBe(true);
  });

  it('moves a cached tag when the daily schedule runs, without a pull', async () => {
    const moved = await upstream.pushImage('library/app', '1', { layers: [Buffer.from('the tag moved upstream')] });
    const { handler: refresh } = await import('./refresh.lambda');

    const before = await invoke('HEAD', '/v2/hub/library/app/manifests/1', { accept: pushed.mediaType });
    await refresh(scheduledEvent('cache-refresh'), lambdaContext('cache-refresh'));
    const after = await invoke('HEAD', '/v2/hub/library/app/manifests/1', { accept: pushed.mediaType });

    expect(before.headers['Docker-Content-Digest']).toBe(pushed.digest);
    expect(after.headers['Docker-Content-Digest']).toBe(moved.digest);
  });
});
