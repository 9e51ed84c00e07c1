import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeReplicationBackfillResultsCommand, ECRClient, ListReplicationBackfillsCommand, StartReplicationBackfillCommand } from '@aws-sdk/client-ecr';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsCli, buildOciLayout, describeWithClients, readOciLayout, skopeo, type BuiltImage } from '@cargohold/e2e';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * `npm run aws:local -- --replica-region us-west-2`: two regions' stacks on the emulators, each with its
 * own table, bucket and HTTP API, as two deployments of serverless.yml would be. Replication configured
 * with the AWS CLI against us-east-1 sends a skopeo push through the stream forwarder and the replicator
 * queue into the us-west-2 table and bucket; skopeo pulls the same digest from the us-west-2 API. A
 * backfill (StartReplicationBackfill through @aws-sdk/client-ecr: the CLI has no such command yet) takes
 * the ECR API → replicator queue → replicator path and replicates an image pushed before the rule.
 */

jest.setTimeout(300_000);

const WEST = { region: 'us-west-2', registryId: '000000000000' };

describeWithClients(['skopeo', 'aws'], 'aws:local with a replica region', () => {
  let local: AwsLocalProcess;
  let westUrl: string;
  let work: string;
  let password: string;
  /** A login for the us-west-2 registry: tokens name the registry they were issued for. */
  let westPassword: string;
  let image: BuiltImage;
  let s3: S3Client;
  let east: ECRClient;

  const ecr = async <T>(args: string[], region = 'us-east-1'): Promise<T> =>
    JSON.parse((await awsCli(['ecr', ...args], { endpoint: region === 'us-east-1' ? local.url : westUrl, region })).stdout) as T;
  const run = (args: string[], creds = password) => skopeo(args, { creds: `AWS:${creds}`, timeoutMs: 180_000 });
  const until = async (done: () => Promise<boolean>, ms = 60_000) => {
    for (const deadline = Date.now() + ms; !(await done()) && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 500));
  };
  /** Keys of the us-west-2 stack's bucket. */
  const westKeys = async () => (await s3.send(new ListObjectsV2Command({ Bucket: 'cargohold-local-us-west-2-blobs' }))).Contents?.map((o) => o.Key) ?? [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-repl-'));
    local = await startAwsLocal({ dataDir: join(work, 'data'), gateway: false, replicaRegion: 'us-west-2' });
    westUrl = local.replicaUrl ?? '';
    password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
    westPassword = (await awsCli(['ecr', 'get-login-password'], { endpoint: westUrl, region: 'us-west-2' })).stdout.trim();
    // The emulators' endpoints are in the CLI's banner lines.
    const s3Endpoint = /S3 \(s3rver\) (http:\/\/[^,\s]+)/.exec(await readFile(local.logFile, 'utf8'))?.[1] ?? '';
    s3 = new S3Client({ endpoint: s3Endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    east = new ECRClient({ endpoint: local.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    image = await buildOciLayout(join(work, 'image'), {
      tag: 'v1',
      config: { Cmd: ['/hello'] },
      layers: [{ files: [{ path: 'hello', content: '#!/bin/sh\necho replicated\n', mode: 0o755 }] }, { randomBytes: 256 * 1024, compression: 'none' }],
    });
  });

  afterAll(async () => {
    s3?.destroy();
    east?.destroy();
    await local?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('starts the us-west-2 stack on its own port, with its own table and bucket', () => {
    expect(westUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(westUrl).not.toBe(local.url);
  });

  it('replicates a push from us-east-1 into the us-west-2 table and bucket: skopeo pulls the same digest there', async () => {
    // Pushed before the rule: only the backfill below replicates it.
    await run(['copy', '--preserve-digests', `oci:${join(work, 'image')}:v1`, `docker://${local.host}/e2e/before:v1`]);
    await ecr(['put-replication-configuration', '--replication-configuration', JSON.stringify({ rules: [{ destinations: [WEST] }] })]);
    await run(['copy', '--preserve-digests', `oci:${join(work, 'image')}:v1`, `docker://${local.host}/e2e/replicated:v1`]);
    const status = async () =>
      (
        await ecr<{ replicationStatuses: { status: string }[] }>([
          'describe-image-replication-status',
          '--repository-name',
          'e2e/replicated',
          '--image-id',
          'imageTag=v1',
        ])
      ).replicationStatuses;

    await until(async () => (await status()).some((s) => s.status === 'COMPLETE'));

    expect(await status()).toEqual([{ ...WEST, status: 'COMPLETE' }]);
    const pulled = join(work, 'pulled');
    await run(
      [
        'copy',
        '--preserve-digests',
        '--dest-oci-accept-uncompressed-layers',
        `docker://${new URL(westUrl).host}/e2e/replicated@${image.manifest.digest}`,
        `oci:${pulled}:v1`,
      ],
      westPassword,
    );
    const layout = await readOciLayout(pulled);
    expect(layout.manifests.map((m) => m.digest)).toEqual([image.manifest.digest]);
    expect(layout.blobs).toEqual([...image.blobs].sort());
    const described = await ecr<{ imageDetails: { imageDigest: string; imageTags: string[] }[] }>(
      ['describe-images', '--repository-name', 'e2e/replicated'],
      'us-west-2',
    );
    expect(described.imageDetails.map((d) => [d.imageDigest, d.imageTags])).toEqual([[image.manifest.digest, ['v1']]]);
    const keys = await westKeys();
    for (const blob of [image.config.digest, ...image.layers.map((l) => l.digest)]) expect(keys).toContain(`blobs/sha256/${blob.slice('sha256:'.length)}`);
    // The us-east-1 stack keeps no us-west-2 registry of its own: the replica is in the other stack only.
    await expect(awsCli(['ecr', 'describe-images', '--repository-name', 'e2e/replicated'], { endpoint: local.url, region: 'us-west-2' })).rejects.toThrow(
      /RepositoryNotFoundException/,
    );
  });

  it('backfills an image pushed before the rule through the replicator queue: COMPLETE with its counts, pulled from us-west-2', async () => {
    const started = await east.send(new StartReplicationBackfillCommand({ destination: WEST }));
    expect(started.status).toBe('PREPARING');
    const id = started.replicationBackfillId ?? '';
    const backfill = async () => (await east.send(new ListReplicationBackfillsCommand({}))).backfills?.find((b) => b.replicationBackfillId === id);

    await until(async () => (await backfill())?.status === 'COMPLETE');

    // Every image of the registry the rule covers: e2e/before and e2e/replicated (again, idempotently).
    expect(await backfill()).toMatchObject({
      status: 'COMPLETE',
      progress: { totalReplicationCount: 2, completedReplicationCount: 2, failedReplicationCount: 0 },
    });
    const results = await east.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: id }));
    expect(results.results?.map((r) => [r.repositoryName, r.imageId?.imageDigest, r.status])).toEqual([
      ['e2e/before', image.manifest.digest, 'COMPLETE'],
      ['e2e/replicated', image.manifest.digest, 'COMPLETE'],
    ]);
    const pulled = join(work, 'pulled-before');
    await run(
      ['copy', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', `docker://${new URL(westUrl).host}/e2e/before:v1`, `oci:${pulled}:v1`],
      westPassword,
    );
    expect((await readOciLayout(pulled)).manifests.map((m) => m.digest)).toEqual([image.manifest.digest]);
  });
});
