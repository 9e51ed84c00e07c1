import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, describeWithClients, readDirTransport, skopeo } from '@cargohold/e2e';
import { startUpstreamRegistry, type PushedImage, type UpstreamRegistryHandle } from '@cargohold/upstream-registry/testing';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * The pull-through journey through `npm run aws:local`: a rule made with the AWS CLI, skopeo pulling
 * through the real /v2/ handler from a docker-registry upstream on loopback (listed in
 * CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS), layers by 307 to s3rver, and the ECR Pull Through Cache
 * Action on the bus.
 */

jest.setTimeout(240_000);

describeWithClients(['skopeo', 'aws'], 'aws:local: the pull-through cache', () => {
  let work: string;
  let upstream: UpstreamRegistryHandle;
  let local: AwsLocalProcess;
  let pushed: PushedImage;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-ptc-'));
    upstream = await startUpstreamRegistry({ auth: 'none' });
    pushed = await upstream.pushImage('library/app', '1', { layers: [Buffer.from('y'.repeat(100_000)), Buffer.from('second')] });
    local = await startAwsLocal({ dataDir: join(work, 'data'), gateway: false, env: { CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS: upstream.registry } });
  });

  afterAll(async () => {
    await local?.stop();
    await upstream?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('pulls an upstream image through a rule with identical digests, and says so on the bus', async () => {
    await awsCli(['ecr', 'create-pull-through-cache-rule', '--ecr-repository-prefix', 'hub', '--upstream-registry-url', upstream.registry], {
      endpoint: local.url,
    });
    const password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();

    await skopeo(['copy', `docker://${local.host}/hub/library/app:1`, `dir:${join(work, 'pulled')}`], { creds: `AWS:${password}`, timeoutMs: 180_000 });
    const pulled = await readDirTransport(join(work, 'pulled'));
    const events = (await readFile(join(local.dataDir, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { 'detail-type': string; detail: Record<string, string> });

    expect(`sha256:${createHash('sha256').update(pulled.manifestBytes).digest('hex')}`).toBe(pushed.digest);
    expect(pulled.blobs).toEqual([pushed.config.digest, ...pushed.layers.map((layer) => layer.digest)].sort());
    expect(events).toContainEqual(
      expect.objectContaining({
        'detail-type': 'ECR Pull Through Cache Action',
        detail: expect.objectContaining({ 'sync-status': 'SUCCESS', 'repository-name': 'hub/library/app', 'image-digest': pushed.digest, 'image-tag': '1' }),
      }),
    );
  });
});
