import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, type FillScope } from '@cargohold/auth';
import { AwsClients, openAwsStorage, type AwsStorage } from '@cargohold/platform-aws';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { describeWithUpstreamRegistry, startUpstreamRegistry, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { startCorruptingProxy } from './testing/corrupting-proxy';

/**
 * The upload gateway filling pull-through blob misses, as the /v2/ Lambda's 307 sends them there:
 * `cargohold serve --backend aws --role upload-gateway` over s3rver and DynamoDB Local, a docker-registry
 * upstream on loopback behind a recording proxy. By its fill capability alone, the gateway streams the
 * upstream's bytes while storing them (verified), serves stored blobs from S3's bytes, and shares one
 * upstream fetch between concurrent pulls.
 */
jest.setTimeout(60_000);

const TOKEN_KEY = Buffer.alloc(32, 7);
const REGISTRY = '000000000000:us-east-1';
const ADMIN = 'arn:aws:iam::000000000000:user/admin';
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const layer = (seed: string) => Buffer.from(`layer bytes of ${seed} `.repeat(20_000));

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeWithUpstreamRegistry('pull-through blob fills on the upload gateway', () => {
  let s3: S3rverHandle;
  let dynamo: DynamoDbLocal;
  let upstream: UpstreamRegistryHandle;
  let clean: Awaited<ReturnType<typeof startCorruptingProxy>>;
  let corrupting: Awaited<ReturnType<typeof startCorruptingProxy>>;
  let storage: AwsStorage;
  let gateway: RunningServer;
  let dataDir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startS3rver('ptc-fill-blobs');
    dynamo = await startDynamoDbLocal();
    upstream = await startUpstreamRegistry({ auth: 'none' });
    clean = await startCorruptingProxy(upstream.registry, { corrupt: false });
    corrupting = await startCorruptingProxy(upstream.registry, { corrupt: true });
    const table = await dynamo.freshTable();
    Object.assign(process.env, { ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }), S3_FORCE_PATH_STYLE: 'true' });
    delete process.env['AWS_PROFILE'];
    storage = openAwsStorage(new AwsClients({ region: 'us-east-1', s3ForcePathStyle: true }), { bucket: s3.bucket, table });
    const now = new Date().toISOString();
    const rule = (prefix: string, url: string) => ({
      ecrRepositoryPrefix: prefix,
      upstreamRegistryUrl: url,
      upstreamRepositoryPrefix: 'ROOT',
      createdAt: now,
      updatedAt: now,
    });
    await storage.registries.update(REGISTRY, (current) => ({
      ...current,
      pullThroughCacheRules: [rule('hub', clean.registry), rule('bad', corrupting.registry)],
    }));
    dataDir = await mkdtemp(join(tmpdir(), 'cargohold-fill-'));
    gateway = await startServer({
      port: 0,
      dataDir,
      backend: 'aws',
      bucket: s3.bucket,
      table,
      role: 'upload-gateway',
      tokenKey: TOKEN_KEY,
      config: { pullThroughCache: { insecureUpstreams: [clean.registry, corrupting.registry] } },
      logger: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    await gateway?.close(1000);
    process.env = saved;
    await clean?.stop();
    await corrupting?.stop();
    await upstream?.stop();
    await dynamo?.stop();
    await s3?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** What the Lambda's 307 carries: a fill capability for the blob, through the rule. */
  function capability(fill: FillScope, ttlMs = 5 * 60 * 1000): string {
    return issueToken({ accountId: '000000000000', principalArn: ADMIN, registry: REGISTRY, fill }, TOKEN_KEY, { now: new Date(), ttlMs }).token;
  }
  const fillUrl = (repository: string, digest: string, token: string) =>
    `${gateway.url}/v2/${repository}/blobs/${digest}?X-Cargohold-Fill=${encodeURIComponent(token)}`;
  const hubFill = (repository: string, digest: string) => capability({ repository, digest, rulePrefix: 'hub', upstream: clean.registry });
  const upstreamGets = (digest: string) => clean.requests.filter((line) => line.startsWith('GET ') && line.includes(`/blobs/${digest}`)).length;

  it('streams a missing blob from the upstream by its capability alone, stores it verified, then serves the stored copy', async () => {
    const bytes = layer('streamed');
    const digest = sha256(bytes);
    await upstream.pushImage('library/app', '1', { layers: [bytes] });
    const url = fillUrl('hub/library/app', digest, hubFill('hub/library/app', digest));

    const first = await fetch(url);
    const firstBytes = Buffer.from(await first.arrayBuffer());
    // The client has every byte once the body's length arrived; the store commits just after, once verified.
    const stored = await eventually(
      () => storage.blobs.stat(digest as never),
      (stat) => stat.found,
    );
    const again = await fetch(url);

    expect(first.status).toBe(200);
    expect(first.headers.get('docker-content-digest')).toBe(digest);
    expect(sha256(firstBytes)).toBe(digest);
    expect(stored).toEqual({ found: true, size: bytes.length });
    expect(again.status).toBe(200);
    expect(sha256(Buffer.from(await again.arrayBuffer()))).toBe(digest);
    expect(upstreamGets(digest)).toBe(1);
  });

  it('shares one upstream fetch between concurrent pulls of the same blob', async () => {
    const bytes = layer('concurrent');
    const digest = sha256(bytes);
    await upstream.pushImage('library/many', '1', { layers: [bytes] });
    const url = fillUrl('hub/library/many', digest, hubFill('hub/library/many', digest));

    const answers = await Promise.all(
      [1, 2, 3].map(async () => {
        const answer = await fetch(url);
        return { status: answer.status, digest: sha256(Buffer.from(await answer.arrayBuffer())) };
      }),
    );

    expect(answers).toEqual([1, 2, 3].map(() => ({ status: 200, digest })));
    expect(upstreamGets(digest)).toBe(1);
  });

  it('fails a body that does not match its digest and caches nothing', async () => {
    const bytes = layer('corrupted');
    const digest = sha256(bytes);
    await upstream.pushImage('library/bad', '1', { layers: [bytes] });
    const url = fillUrl('bad/library/bad', digest, capability({ repository: 'bad/library/bad', digest, rulePrefix: 'bad', upstream: corrupting.registry }));

    const outcome = await fetch(url)
      .then(
        async (answer) => (answer.status === 200 ? sha256(Buffer.from(await answer.arrayBuffer())) : answer.status),
        (error: unknown) => error,
      )
      .catch((error: unknown) => error);

    expect(outcome).not.toBe(digest);
    expect(await storage.blobs.stat(digest as never)).toEqual({ found: false });
  });

  it('refuses a blob URL without its capability, with a tampered or expired one, or for a rule that has changed', async () => {
    const bytes = layer('refused');
    const digest = sha256(bytes);
    await upstream.pushImage('library/refused', '1', { layers: [bytes] });
    const other = sha256(Buffer.from('another blob'));
    const token = hubFill('hub/library/refused', digest);
    const [version, payload, mac] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = `${version}.${Buffer.from(JSON.stringify({ ...claims, fl: { ...claims.fl, digest: other } })).toString('base64url')}.${mac}`;
    const expired = capability({ repository: 'hub/library/refused', digest, rulePrefix: 'hub', upstream: clean.registry }, 1);
    const staleRule = capability({ repository: 'hub/library/refused', digest, rulePrefix: 'hub', upstream: corrupting.registry });
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect((await fetch(`${gateway.url}/v2/hub/library/refused/blobs/${digest}`)).status).toBe(404);
    expect((await fetch(fillUrl('hub/library/refused', other, tampered))).status).toBe(401);
    expect((await fetch(fillUrl('hub/library/refused', other, token))).status).toBe(401);
    expect((await fetch(fillUrl('hub/library/refused', digest, expired))).status).toBe(401);
    expect((await fetch(fillUrl('hub/library/refused', digest, staleRule))).status).toBe(403);
    expect((await fetch(`${gateway.url}/v2/hub/library/refused/manifests/1?X-Cargohold-Fill=${token}`)).status).toBe(404);
    expect(upstreamGets(digest)).toBe(0);
    expect(await storage.blobs.stat(digest as never)).toEqual({ found: false });
  });
});
