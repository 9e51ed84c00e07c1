import { issueToken, verifyToken } from '@cargohold/auth';
import type { HttpApiLambda } from '@cargohold/lambda-kit';
import { httpApiEvent, lambdaContext } from '@cargohold/lambda-kit/testing';
import { AwsClients, openAwsStorage, type AwsStorage } from '@cargohold/platform-aws';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { describeWithUpstreamRegistry, startUpstreamRegistry, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';

/**
 * The /v2/ Lambda beside an upload gateway, over s3rver and DynamoDB Local, with a docker-registry
 * upstream on loopback: a pull-through blob miss is answered with a 307 to the gateway, carrying a fill
 * capability for that blob and rule; the Lambda itself stores no layer.
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
    return { status: result.statusCode, headers: result.headers ?? {}, body: String(result.body ?? '') };
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

  it('redirects to S3 once the blob is stored, from any repository', async () => {
    const layerBytes = Buffer.from('a layer another repository cached');
    const first = await upstream.pushImage('library/one', '1', { layers: [layerBytes] });
    await upstream.pushImage('library/two', '1', { layers: [layerBytes] });
    const layer = first.layers[0] as { digest: string };
    const manifest = await invoke('GET', '/v2/hub/library/one/manifests/1', { accept: first.mediaType });

    const answer = await invoke('GET', `/v2/hub/library/two/blobs/${layer.digest}`);

    expect(manifest.status).toBe(200);
    expect(answer.status).toBe(307);
    expect(String(answer.headers['Location'])).not.toContain(GATEWAY);
    expect(Buffer.from(await (await fetch(String(answer.headers['Location']))).arrayBuffer()).toString()).toBe(layerBytes.toString());
  });

  it('answers a miss outside every rule with the usual 404', async () => {
    const answer = await invoke('GET', `/v2/plain/app/blobs/sha256:${'c'.repeat(64)}`);
    expect(answer.status).toBe(404);
  });
});
