import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, buildDockerArchive, buildOciLayout, describeWithClients, run, startDockerd, type Dockerd } from '@cargohold/e2e';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * docker and podman push an image with a 300 MiB layer through `npm run aws:local` with the upload
 * gateway, and pull it back by the digest they pushed. Both send each layer in one PATCH, so the layer
 * can only land through the gateway; the pulls follow the Lambda's 307 to presigned S3 URLs.
 */

jest.setTimeout(420_000);

const MiB = 1024 * 1024;

describeWithClients(['aws', 'docker', 'dockerd', 'podman'], 'docker and podman through aws:local', () => {
  let local: AwsLocalProcess;
  let work: string;
  let password: string;

  beforeAll(async () => {
    // Lowercase (podman names an image pulled from `oci:DIR` after DIR) and short (its runroot must stay under 50 characters).
    work = join(tmpdir(), `cargohold-awsl-${randomBytes(6).toString('hex')}`);
    await mkdir(work);
    local = await startAwsLocal({ dataDir: join(work, 'data') });
    password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
  });

  afterAll(async () => {
    await local?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('docker', () => {
    let dockerd: Dockerd;

    beforeAll(async () => {
      dockerd = await startDockerd();
      await dockerd.docker(['login', '--username', 'AWS', '--password-stdin', local.host], { input: password });
    });

    afterAll(async () => {
      await dockerd?.stop();
    });

    it('pushes an image with a 300 MiB layer and pulls it back by the pushed digest', async () => {
      const image = `${local.host}/e2e/docker-big:v1`;
      await buildDockerArchive(join(work, 'docker-big.tar'), { repoTags: [image], layers: [{ randomBytes: 300 * MiB }] });
      await dockerd.docker(['load', '--input', join(work, 'docker-big.tar')], { timeoutMs: 300_000 });

      const started = performance.now();
      const push = await dockerd.docker(['push', image], { timeoutMs: 300_000 });
      console.log(`docker push of 300 MiB through aws:local: ${Math.round(performance.now() - started)} ms`);
      const pushed = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push.stdout)?.[1];
      await dockerd.docker(['rmi', image]);
      const pull = await dockerd.docker(['pull', image], { timeoutMs: 300_000 });

      expect(pushed).toMatch(/^sha256:/);
      expect(pull.stdout).toContain(`Digest: ${pushed}`);
    });
  });

  describe('podman', () => {
    let podman: (args: string[], input?: string) => Promise<string>;

    beforeAll(async () => {
      // A private store (vfs, no daemon): nothing of the machine's own podman state is touched.
      const storage = ['--root', join(work, 'podman-root'), '--runroot', join(work, 'podman-run'), '--storage-driver', 'vfs'];
      const env = { ...process.env, REGISTRY_AUTH_FILE: join(work, 'auth.json') };
      await writeFile(env.REGISTRY_AUTH_FILE, '{}');
      podman = async (args, input) => (await run('podman', [...storage, ...args], { env, timeoutMs: 300_000, ...(input ? { input } : {}) })).stdout;
      await podman(['login', '--tls-verify=false', '--username', 'AWS', '--password-stdin', local.host], password);
    });

    it('pushes an image with a 300 MiB layer and pulls it back by the pushed digest', async () => {
      const layout = join(work, 'podman-big');
      await buildOciLayout(layout, { tag: 'v1', layers: [{ randomBytes: 300 * MiB, compression: 'none' }] });
      const id = (await podman(['pull', '--quiet', `oci:${layout}:v1`])).trim();
      const reference = `${local.host}/e2e/podman-big:v1`;
      await podman(['tag', id, reference]);

      const digestFile = join(work, 'podman-digest');
      const started = performance.now();
      await podman(['push', '--tls-verify=false', '--digestfile', digestFile, reference]);
      console.log(`podman push of 300 MiB through aws:local: ${Math.round(performance.now() - started)} ms`);
      const pushed = (await readFile(digestFile, 'utf8')).trim();
      await podman(['rmi', '--all', '--force']);
      await podman(['pull', '--tls-verify=false', `${local.host}/e2e/podman-big@${pushed}`]);
      const inspected = JSON.parse(await podman(['image', 'inspect', `${local.host}/e2e/podman-big@${pushed}`])) as { Digest: string }[];

      expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(inspected[0]?.Digest).toBe(pushed);
    });
  });
});
