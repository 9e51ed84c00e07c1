import { Readable } from 'node:stream';
import { issueToken, verifyToken } from '@cargohold/auth';
import { putVerified } from '@cargohold/registry-core';
import type { HttpApiLambda } from '@cargohold/lambda-kit';
import { httpApiEvent, lambdaContext, scheduledEvent } from '@cargohold/lambda-kit/testing';
import { AwsClients, openAwsStorage, type AwsStorage } from '@cargohold/platform-aws';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { describeWithUpstreamRegistry, startUpstreamRegistry, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';

/**
 * The /v2/ Lambda beside an upload gateway, over s3rver and DynamoDB Local, with a docker-registry
 * upstream on loopback: a pull-through blob miss is answered with a 307 to the gateway, carrying a fill
 * capability for that blob and rule; a manifest miss fetches the manifest only. The Lambda fetches no layer.
 */
const TOKEN_KEY = Buffer.alloc(32, 9);
const REGISTRY = '000000000000:us-east-1';
const GATEWAY = 'https://uploads.example.com';
const ADMIN = 'arn:aws:iam::000000000000:user/admin';

describeWithUpstreamRegistry('pull-through blob misses in the /v2/ Lambda with an upload gateway', () => {
  let s3: S3rverHandle;
  let dynamo: DynamoDbLocal;
  let upstream: UpstreamRegistryHandle;
  let storage: AwsStorage;
  let handler: HttpApiLambda;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver('ptc-gw-blobs');
    dynamo = await startDynamoDbLocal();
    upstream = await startUpstreamRegistry({ auth: 'none' });
    const table = await dynamo.freshTable();
    Object.assign(process.env, {
      BUCKET: s3.bucket,
      TABLE: table,
      TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64'),
      ALLOW_DEFAULT_IDENTITIES: 'true',
      S3_FORCE_PATH_STYLE: 'true',
      LOG_LEVEL: 'silent',
      UPLOAD_GATEWAY_URL: GATEWAY,
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
    ({ handler } = await import('./main.lambda'));
  });

  afterAll(async () => {
    process.env = saved;
    await upstream?.stop();
    await dynamo?.stop();
    await s3?.stop();
  });

  const { token } = issueToken({ accountId: '000000000000', principalArn: ADMIN, registry: REGISTRY }, TOKEN_KEY, { now: new Date() });

  async function invoke(method: string, target: string, headers: Record<string, string> = {}) {
    const event = httpApiEvent({ method, target, headers: { authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`, ...headers } });
    const result = await handler(event, lambdaContext('distribution-api'));
    return { status: result.statusCode, headers: result.headers ?? {}, body: Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8') };
  }

  it('answers a blob miss with a 307 to the gateway, whose capability names the blob and the rule, and stores nothing itself', async () => {
    const pushed = await upstream.pushImage('library/lazy', '1', { layers: [Buffer.from('a layer only the gateway fetches')] });
    const layer = pushed.layers[0] as { digest: string };

    const answer = await invoke('GET', `/v2/hub/library/lazy/blobs/${layer.digest}`);
    const location = new URL(String(answer.headers['Location']));
    const capability = location.searchParams.get('X-Cargohold-Fill') ?? '';

    expect(answer.status).toBe(307);
    expect(`${location.origin}${location.pathname}`).toBe(`${GATEWAY}/v2/hub/library/lazy/blobs/${layer.digest}`);
    expect(verifyToken(capability, TOKEN_KEY, { now: new Date(), registry: REGISTRY })).toMatchObject({
      ok: true,
      claims: { principalArn: ADMIN, fill: { repository: 'hub/library/lazy', digest: layer.digest, rulePrefix: 'hub', upstream: upstream.registry } },
    });
    expect(await storage.blobs.stat(layer.digest as never)).toEqual({ found: false });
    expect(await storage.repositories.get({ registry: REGISTRY, name: 'hub/library/lazy' })).toBeDefined();
  });

  it('sends a HEAD of a missing blob to the gateway too', async () => {
    const pushed = await upstream.pushImage('library/headed', '1', { layers: [Buffer.from('a layer asked about first')] });
    const layer = pushed.layers[0] as { digest: string };

    const answer = await invoke('HEAD', `/v2/hub/library/headed/blobs/${layer.digest}`);

    expect(answer.status).toBe(307);
    expect(String(answer.headers['Location'])).toContain(`${GATEWAY}/v2/hub/library/headed/blobs/${layer.digest}?X-Cargohold-Fill=`);
  });

  it('serves a first pull of a manifest from the upstream without fetching a blob, and caches it with its tag once its blobs were filled', async () => {
    const layerBytes = Buffer.from('a layer another repository cached');
    const first = await upstream.pushImage('library/one', '1', { layers: [layerBytes] });
    await upstream.pushImage('library/two', '1', { layers: [layerBytes] });
    const layer = first.layers[0] as { digest: string };
    const repo = { registry: REGISTRY, name: 'hub/library/one' };

    const served = await invoke('GET', '/v2/hub/library/one/manifests/1', { accept: first.mediaType });
    const storedBefore = await storage.blobs.stat(layer.digest as never);
    const tagBefore = await storage.manifests.resolveTag(repo, '1');
    // What the gateway does on the blob GETs the client makes next: each stored once its digest matched.
    for (const blob of [first.config, { digest: layer.digest, bytes: layerBytes }]) {
      await putVerified(storage.blobs, blob.digest as never, Readable.from([blob.bytes]), { maxBytes: 1 << 20, expectedSize: blob.bytes.length });
    }
    const again = await invoke('GET', '/v2/hub/library/one/manifests/1', { accept: first.mediaType });
    const elsewhere = await invoke('GET', `/v2/hub/library/two/blobs/${layer.digest}`);

    expect(served.status).toBe(200);
    expect(Buffer.from(served.body).equals(first.bytes)).toBe(true);
    expect(served.headers['Docker-Content-Digest']).toBe(first.digest);
    expect(storedBefore).toEqual({ found: false });
    expect(tagBefore).toBeUndefined();
    expect(again.status).toBe(200);
    expect(await storage.manifests.resolveTag(repo, '1')).toBe(first.digest);
    expect(elsewhere.status).toBe(307);
    expect(String(elsewhere.headers['Location'])).not.toContain(GATEWAY);
  });

  it('moves a cached tag on schedule with its blobs, though requests fetch none', async () => {
    const moved = await upstream.pushImage('library/one', '1', { layers: [Buffer.from('the tag moved upstream')] });
    const { handler: refresh } = await import('./refresh.lambda');

    await refresh(scheduledEvent('cache-refresh'), lambdaContext('cache-refresh'));
    const after = await invoke('HEAD', '/v2/hub/library/one/manifests/1', { accept: moved.mediaType });

    expect(after.headers['Docker-Content-Digest']).toBe(moved.digest);
    expect(await storage.manifests.resolveTag({ registry: REGISTRY, name: 'hub/library/one' }, '1')).toBe(moved.digest);
    expect(await storage.blobs.stat((moved.layers[0] as { digest: string }).digest as never)).toMatchObject({ found: true });
  });

  it('answers a miss outside every rule with the usual 404', async () => {
    const answer = await invoke('GET', `/v2/plain/app/blobs/sha256:${'c'.repeat(64)}`);
    expect(answer.status).toBe(404);
  });
});
