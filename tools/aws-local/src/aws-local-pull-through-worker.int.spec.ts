import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, describeWithClients, readDirTransport, skopeo } from '@cargohold/e2e';
import { startUpstreamRegistry, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * The cache-syncer worker through `npm run aws:local` with the upload gateway: a first skopeo pull is
 * served the upstream's manifest uncached (its blobs are not stored yet) and queues the image on the
 * cache-syncer queue; the cache-syncer function stores it whole from the upstream, so once the queue
 * drained the tag is cached without a second pull, and pulls on with the upstream stopped.
 */

jest.setTimeout(300_000);

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs = 90_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describeWithClients(['skopeo', 'aws'], 'aws:local: the cache-syncer worker caches a first pull in the background', () => {
  let work: string;
  let upstream: UpstreamRegistryHandle;
  let local: AwsLocalProcess;
  let password: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-ptc-worker-'));
    upstream = await startUpstreamRegistry({ auth: 'none' });
    local = await startAwsLocal({ dataDir: join(work, 'data'), env: { CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS: upstream.registry } });
    await awsCli(['ecr', 'create-pull-through-cache-rule', '--ecr-repository-prefix', 'hub', '--upstream-registry-url', upstream.registry], {
      endpoint: local.url,
    });
    password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
  });

  afterAll(async () => {
    await local?.stop();
    await upstream?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('caches the image after one pull, so it pulls byte-exact with the upstream stopped', async () => {
    // A layer over Lambda's body cap: the worker streams it into S3 in parts.
    const image = await upstream.pushImage('library/worker', '1', { layers: [Buffer.from('w'.repeat(7 * 1024 * 1024)), Buffer.from('small layer')] });
    const copy = (dir: string) =>
      skopeo(['copy', `docker://${local.host}/hub/library/worker:1`, `dir:${join(work, dir)}`], { creds: `AWS:${password}`, timeoutMs: 180_000 });
    const describe = async () => {
      const answer = await awsCli(['ecr', 'describe-images', '--repository-name', 'hub/library/worker'], { endpoint: local.url }).catch(() => undefined);
      return answer ? (JSON.parse(answer.stdout) as { imageDetails: { imageDigest: string; imageTags?: string[] }[] }).imageDetails : [];
    };

    await copy('first');
    const cached = await eventually(describe, (images) => images.some((detail) => detail.imageTags?.includes('1')));
    await upstream.stop();
    await copy('offline');
    const offline = await readDirTransport(join(work, 'offline'));

    expect(cached).toEqual([expect.objectContaining({ imageDigest: image.digest, imageTags: ['1'] })]);
    expect(sha256(offline.manifestBytes)).toBe(image.digest);
    expect(offline.blobs).toEqual([image.config.digest, ...image.layers.map((layer) => layer.digest)].sort());
  });
});
