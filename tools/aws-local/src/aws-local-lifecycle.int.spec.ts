import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, describeWithClients } from '@cargohold/e2e';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * The lifecycle journey through `npm run aws:local` (no upload gateway): images pushed through the
 * distribution Lambda, a policy previewed and put with the AWS CLI, then the lifecycle schedule (every
 * 3 s here instead of daily) fans out to the sweep queue and the worker Lambda expires exactly what the
 * preview listed; the table stream carries the expiries to the bus as `ECR Image Action` EXPIRE events.
 */

jest.setTimeout(240_000);

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const rule = (rulePriority: number, selection: object) => ({ rulePriority, selection, action: { type: 'expire' } });
const POLICY = JSON.stringify({
  rules: [
    rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
    rule(2, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 5 }),
  ],
});

describeWithClients(['aws'], 'aws:local: lifecycle policies and the scheduled sweeper', () => {
  let local: AwsLocalProcess;
  let work: string;
  let auth: string;
  const ecr = async <T>(args: string[]): Promise<T> => JSON.parse((await awsCli(['ecr', ...args], { endpoint: local.url })).stdout || '{}') as T;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-lifecycle-'));
    local = await startAwsLocal({ dataDir: join(work, 'data'), gateway: false, lifecycleEverySeconds: 3 });
    const password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
    auth = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  });

  afterAll(async () => {
    await local?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function pushBlob(repo: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const res = await fetch(`${local.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (res.status !== 201) throw new Error(`blob push: ${res.status} ${await res.text()}`);
    return digest;
  }

  /** A one-layer image pushed under `tag`; answers its manifest digest. */
  async function pushImage(repo: string, tag: string, seed: string): Promise<string> {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
    const layer = Buffer.from(`layer of ${seed}`);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob(repo, config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await pushBlob(repo, layer), size: layer.length }],
      }),
    );
    const res = await fetch(`${local.url}/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': OCI_MANIFEST },
      body: manifest,
    });
    if (res.status !== 201) throw new Error(`manifest push: ${res.status} ${await res.text()}`);
    return sha256(manifest);
  }

  it('previews, then the scheduled sweep expires exactly the previewed images and keeps the rest', async () => {
    await ecr(['create-repository', '--repository-name', 'team/app']);
    // Five pushes move one tag: the first four become untagged; the fifth keeps `moving` (no `v` prefix).
    const moved: string[] = [];
    for (let i = 0; i < 5; i++) moved.push(await pushImage('team/app', 'moving', `moved-${i}`));
    const tagged: string[] = [];
    for (let i = 1; i <= 12; i++) tagged.push(await pushImage('team/app', `v${i}`, `v${i}`));
    const expiring = [...moved.slice(0, 3), ...tagged.slice(0, 7)].sort();
    const kept = [moved[3], moved[4], ...tagged.slice(7)].sort();

    await ecr(['start-lifecycle-policy-preview', '--repository-name', 'team/app', '--lifecycle-policy-text', POLICY]);
    const preview = await ecr<{ previewResults: { imageDigest: string }[]; summary: { expiringImageTotalCount: number } }>([
      'get-lifecycle-policy-preview',
      '--repository-name',
      'team/app',
    ]);

    expect(preview.summary.expiringImageTotalCount).toBe(10);
    expect(preview.previewResults.map((r) => r.imageDigest).sort()).toEqual(expiring);

    await ecr(['put-lifecycle-policy', '--repository-name', 'team/app', '--lifecycle-policy-text', POLICY]);
    let evaluated: string | undefined;
    for (let i = 0; i < 120 && evaluated === undefined; i++) {
      evaluated = (await ecr<{ lastEvaluatedAt?: string }>(['get-lifecycle-policy', '--repository-name', 'team/app'])).lastEvaluatedAt;
      if (evaluated === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
    }

    expect(evaluated).toEqual(expect.any(String));
    const described = await ecr<{ imageDetails: { imageDigest: string }[] }>(['describe-images', '--repository-name', 'team/app']);
    expect(described.imageDetails.map((d) => d.imageDigest).sort()).toEqual(kept);

    // The stream forwarder publishes the expiries on the bus (the sink's file) as EXPIRE actions.
    let expired: string[] = [];
    for (let i = 0; i < 60 && expired.length < expiring.length; i++) {
      const lines = (await readFile(join(local.dataDir, 'events.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      const actions = lines.map((line) => JSON.parse(line) as { 'detail-type': string; detail: { 'image-digest'?: string; 'action-type'?: string } });
      expired = [...new Set(actions.filter((e) => e.detail['action-type'] === 'EXPIRE').map((e) => e.detail['image-digest'] ?? ''))].sort();
      if (expired.length < expiring.length) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(expired).toEqual(expiring);
  });
});
