import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, buildOciLayout, describeWithClients, readOciLayout, run as runClient, skopeo, type BuiltImage } from '@cargohold/e2e';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * `npm run aws:local` without the upload gateway (the stage parameter that turns it off): the real
 * handlers behind the local HTTP API take skopeo's push and pull (blobs through the 307 to a presigned
 * s3rver URL), `aws ecr` sees the image, the table stream reaches the event sink, and the front refuses
 * what API Gateway refuses, as API Gateway does.
 */

jest.setTimeout(240_000);

const MiB = 1024 * 1024;

describeWithClients(['skopeo', 'aws'], 'aws:local without the upload gateway', () => {
  let local: AwsLocalProcess;
  let work: string;
  let password: string;

  const ecr = async <T>(args: string[]): Promise<T> => JSON.parse((await awsCli(['ecr', ...args], { endpoint: local.url })).stdout) as T;
  const run = (args: string[]) => skopeo(args, { creds: `AWS:${password}`, timeoutMs: 180_000 });
  const ref = (repository: string, tag: string) => `docker://${local.host}/${repository}:${tag}`;
  /** What the stream forwarder put on the bus (the sink's file). */
  const events = async () =>
    (await readFile(join(local.dataDir, 'events.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { 'detail-type': string; detail: { 'image-digest'?: string } });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-'));
    const started = performance.now();
    local = await startAwsLocal({ dataDir: join(work, 'data'), gateway: false });
    console.log(`aws:local (no gateway) ready in ${Math.round(performance.now() - started)} ms`);
    password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
  });

  afterAll(async () => {
    await local?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The image the first describe pushes, for the restart at the end. */
  let small: BuiltImage;

  describe('an image under Lambda’s request cap, pushed and pulled with skopeo', () => {
    let built: BuiltImage;

    beforeAll(async () => {
      built = await buildOciLayout(join(work, 'small'), {
        tag: 'v1',
        config: { Cmd: ['/hello'] },
        layers: [{ files: [{ path: 'hello', content: '#!/bin/sh\necho hello\n', mode: 0o755 }] }, { randomBytes: 3 * MiB, compression: 'none' }],
      });
      await run(['copy', '--preserve-digests', `oci:${join(work, 'small')}:v1`, ref('e2e/small', 'v1')]);
      small = built;
    });

    it('pulls back through the blob redirects with every digest unchanged', async () => {
      const pulled = join(work, 'small-pulled');

      await run(['copy', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', ref('e2e/small', 'v1'), `oci:${pulled}:v1`]);

      const layout = await readOciLayout(pulled);
      expect(layout.manifests.map((m) => m.digest)).toEqual([built.manifest.digest]);
      expect(layout.blobs).toEqual([...built.blobs].sort());
    });

    it('answers a blob GET with a 307 to a presigned S3 URL that serves the exact bytes', async () => {
      const layer = (JSON.parse(built.manifestBytes.toString()) as { layers: { digest: string }[] }).layers[1]?.digest;
      const auth = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;

      const redirect = await fetch(`${local.url}/v2/e2e/small/blobs/${layer}`, { headers: { authorization: auth }, redirect: 'manual' });
      const location = redirect.headers.get('location') ?? '';
      const bytes = Buffer.from(await (await fetch(location)).arrayBuffer());

      expect(redirect.status).toBe(307);
      expect(location).toMatch(/X-Amz-Signature=/);
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(layer);
    });

    describeWithClients(['ctr', 'containerd'], "containerd's ctr", () => {
      let containerd: { ctr(args: string[]): Promise<string>; stop(): Promise<void> };

      beforeAll(async () => {
        containerd = await startContainerd(join(work, 'containerd'));
      });

      afterAll(async () => {
        await containerd?.stop();
      });

      it('pulls through the blob redirects and stores the pushed manifest digest', async () => {
        await containerd.ctr(['images', 'pull', '--plain-http', '--user', `AWS:${password}`, '--snapshotter', 'native', `${local.host}/e2e/small:v1`]);

        const listed = await containerd.ctr(['images', 'ls']);
        expect(listed).toMatch(new RegExp(`${local.host}/e2e/small:v1\\s+\\S+\\s+${built.manifest.digest}`));
      });
    });

    it('is listed by aws ecr describe-images through the same endpoint', async () => {
      const { imageDetails } = await ecr<{ imageDetails: { imageDigest: string; imageTags?: string[] }[] }>([
        'describe-images',
        '--repository-name',
        'e2e/small',
      ]);

      expect(imageDetails).toEqual([expect.objectContaining({ imageDigest: built.manifest.digest, imageTags: ['v1'] })]);
    });

    it('reaches the event sink through the table stream and the stream forwarder', async () => {
      const pushed = async () =>
        (await events()).some((event) => event['detail-type'] === 'ECR Image Action' && event.detail['image-digest'] === built.manifest.digest);

      const deadline = Date.now() + 20_000;
      while (!(await pushed()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));

      expect(await pushed()).toBe(true);
    });
  });

  it('scans an image on request: the table stream, the worker queue and the scanner, results back through the sink', async () => {
    await ecr(['start-image-scan', '--repository-name', 'e2e/small', '--image-id', 'imageTag=v1']);
    const status = async () =>
      (await ecr<{ imageScanStatus: { status: string } }>(['describe-image-scan-findings', '--repository-name', 'e2e/small', '--image-id', 'imageTag=v1']))
        .imageScanStatus.status;

    const scanned = async () => (await events()).some((event) => event['detail-type'] === 'ECR Image Scan');
    const deadline = Date.now() + 30_000;
    while (((await status()) === 'IN_PROGRESS' || !(await scanned())) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));

    // The scanner's verdict on an image without an OS it knows (a script and random bytes), as ECR's.
    expect(await status()).toBe('UNSUPPORTED_IMAGE');
    expect(await events()).toContainEqual(expect.objectContaining({ 'detail-type': 'ECR Image Scan' }));
  });

  it('replicates to another region: the stream forwarder, the replicator queue and the replicator, events back through the sink', async () => {
    const west = { region: 'us-west-2', registryId: '000000000000' };
    await ecr(['put-replication-configuration', '--replication-configuration', JSON.stringify({ rules: [{ destinations: [west] }] })]);
    await run(['copy', '--preserve-digests', `oci:${join(work, 'small')}:v1`, ref('e2e/replicated', 'v1')]);
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

    const replicated = async () => (await events()).some((event) => event['detail-type'] === 'ECR Replication Action');
    const deadline = Date.now() + 30_000;
    while ((!(await status()).some((s) => s.status === 'COMPLETE') || !(await replicated())) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    expect(await status()).toEqual([{ ...west, status: 'COMPLETE' }]);
    const described = JSON.parse(
      (await awsCli(['ecr', 'describe-images', '--repository-name', 'e2e/replicated'], { endpoint: local.url, region: 'us-west-2' })).stdout,
    ) as { imageDetails: { imageDigest: string; imageTags: string[] }[] };
    expect(described.imageDetails.map((d) => [d.imageDigest, d.imageTags])).toEqual([[small.manifest.digest, ['v1']]]);
    expect(await events()).toContainEqual(expect.objectContaining({ 'detail-type': 'ECR Replication Action' }));
  });

  describe('what API Gateway answers itself', () => {
    it('refuses a body whose event exceeds Lambda’s 6 MB payload with 413 Request Entity Too Large', async () => {
      const response = await fetch(`${local.url}/v2/e2e/small/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`, 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(5 * MiB, 1),
      });

      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    });

    it('answers a path no route matches with 404 Not Found', async () => {
      const response = await fetch(`${local.url}/v3/`);

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    });
  });

  describe('a 300 MiB layer, without a gateway to take it', () => {
    it('fails the push with a clean 413', async () => {
      await buildOciLayout(join(work, 'big'), { tag: 'v1', layers: [{ randomBytes: 300 * MiB, compression: 'none' }] });

      const push = run(['copy', '--preserve-digests', `oci:${join(work, 'big')}:v1`, ref('e2e/big', 'v1')]);

      await expect(push).rejects.toThrow(/413|request entity too large/i);
    });
  });

  describe('a restart on the same data dir', () => {
    it('keeps the repository and the image, which still pulls with every digest unchanged', async () => {
      await local.stop();
      local = await startAwsLocal({ dataDir: join(work, 'data'), gateway: false });
      const pulled = join(work, 'small-after-restart');

      const { imageDetails } = await ecr<{ imageDetails: { imageDigest: string }[] }>(['describe-images', '--repository-name', 'e2e/small']);
      await run(['copy', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', ref('e2e/small', 'v1'), `oci:${pulled}:v1`]);

      expect(imageDetails.map((image) => image.imageDigest)).toEqual([small.manifest.digest]);
      expect((await readOciLayout(pulled)).blobs).toEqual([...small.blobs].sort());
    });
  });
});

/** A private containerd (its own root, state and socket; no config), for `ctr`. */
async function startContainerd(dir: string) {
  const address = join(dir, 'containerd.sock');
  await mkdir(dir, { recursive: true });
  const log = openSync(join(dir, 'containerd.log'), 'a');
  const daemon = spawn('containerd', ['--root', join(dir, 'root'), '--state', join(dir, 'state'), '--address', address, '--config', '/dev/null'], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  const ctr = async (args: string[]) =>
    (await runClient('ctr', ['--address', address, '--namespace', 'cargohold-e2e', ...args], { timeoutMs: 120_000 })).stdout;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await ctr(['version']);
      break;
    } catch (error) {
      if (Date.now() > deadline || daemon.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    ctr,
    async stop() {
      if (daemon.exitCode === null) daemon.kill('SIGTERM');
      await exited;
    },
  };
}
