import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, describeWithClients, readDirTransport, skopeo } from '@cargohold/e2e';
import { startUpstreamRegistry, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * A pull-through blob miss through `npm run aws:local` with the upload gateway: the real /v2/ handler
 * answers 307 to the gateway with a fill capability, the gateway streams the docker-registry upstream's
 * bytes while storing them in s3rver, and the next miss of that blob, from any repository, is a 307 to S3.
 */

jest.setTimeout(300_000);

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithClients(['skopeo', 'aws'], 'aws:local: pull-through blob misses on the upload gateway', () => {
  let work: string;
  let upstream: UpstreamRegistryHandle;
  let local: AwsLocalProcess;
  let authorization: string;
  let password: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-ptc-gw-'));
    upstream = await startUpstreamRegistry({ auth: 'none' });
    local = await startAwsLocal({ dataDir: join(work, 'data'), env: { CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS: upstream.registry } });
    await awsCli(['ecr', 'create-pull-through-cache-rule', '--ecr-repository-prefix', 'hub', '--upstream-registry-url', upstream.registry], {
      endpoint: local.url,
    });
    password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
    authorization = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  });

  afterAll(async () => {
    await local?.stop();
    await upstream?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('sends a blob miss to the gateway, which serves the upstream bytes by capability alone; the next miss goes to S3', async () => {
    const bytes = Buffer.from('z'.repeat(7 * 1024 * 1024));
    const image = await upstream.pushImage('library/big', '1', { layers: [bytes] });
    await upstream.pushImage('library/again', '1', { layers: [bytes] });
    const digest = (image.layers[0] as { digest: string }).digest;

    const miss = await fetch(`${local.url}/v2/hub/library/big/blobs/${digest}`, { headers: { authorization }, redirect: 'manual' });
    const location = miss.headers.get('location') ?? '';
    const filled = await fetch(location);
    const filledBytes = Buffer.from(await filled.arrayBuffer());
    // The client has every byte once the body's length arrived; the gateway commits to S3 just after, once verified.
    const later = await eventually(
      () => fetch(`${local.url}/v2/hub/library/again/blobs/${digest}`, { headers: { authorization }, redirect: 'manual' }),
      (answer) => !String(answer.headers.get('location')).startsWith(String(local.gatewayUrl)),
    );

    expect(miss.status).toBe(307);
    expect(location.startsWith(`${local.gatewayUrl}/v2/hub/library/big/blobs/${digest}?X-Cargohold-Fill=`)).toBe(true);
    expect(filled.status).toBe(200);
    expect(filledBytes.length).toBe(bytes.length);
    expect(sha256(filledBytes)).toBe(digest);
    expect(later.status).toBe(307);
    expect(later.headers.get('location')).not.toContain(String(local.gatewayUrl));
  });

  it('pulls an image with skopeo, manifest from the upstream and layers through the gateway, and caches its tag on the next pull', async () => {
    const image = await upstream.pushImage('library/app', '1', { layers: [Buffer.from('q'.repeat(8 * 1024 * 1024)), Buffer.from('small layer')] });
    const copy = (dir: string) =>
      skopeo(['copy', `docker://${local.host}/hub/library/app:1`, `dir:${join(work, dir)}`], { creds: `AWS:${password}`, timeoutMs: 180_000 });

    await copy('first');
    const first = await readDirTransport(join(work, 'first'));
    const cached = await eventually(
      async () => {
        await copy('second');
        return (await readFile(join(local.dataDir, 'events.jsonl'), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      },
      (events) => events.some((event: { detail?: Record<string, string> }) => event.detail?.['repository-name'] === 'hub/library/app'),
    );
    const second = await readDirTransport(join(work, 'second'));

    expect(sha256(first.manifestBytes)).toBe(image.digest);
    expect(first.blobs).toEqual([image.config.digest, ...image.layers.map((layer) => layer.digest)].sort());
    expect(sha256(second.manifestBytes)).toBe(image.digest);
    expect(cached).toContainEqual(
      expect.objectContaining({
        'detail-type': 'ECR Pull Through Cache Action',
        detail: expect.objectContaining({ 'sync-status': 'SUCCESS', 'repository-name': 'hub/library/app', 'image-digest': image.digest, 'image-tag': '1' }),
      }),
    );
  });
});
