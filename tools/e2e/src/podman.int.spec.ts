import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithClients } from './clients';
import { run } from './exec';
import { buildOciLayout } from './images';
import { startRegistryUnderTest, type RegistryUnderTest } from './registry-under-test';

/** podman, as users run it: log in with the ECR token, push, remove, pull back by the pushed digest. */
describeWithClients(['podman'], 'podman against the registry under test', () => {
  let registry: RegistryUnderTest;
  let work: string;
  let podman: (args: string[], input?: string) => Promise<string>;
  beforeAll(async () => {
    registry = await startRegistryUnderTest();
    // Lowercase only: podman names an image pulled from `oci:DIR` after DIR, and references are lowercase.
    work = join(tmpdir(), `cargohold-e2e-podman-${randomBytes(6).toString('hex')}`);
    await mkdir(work);
    // A private store (vfs, no daemon): nothing of the machine's own podman state is touched.
    const storage = ['--root', join(work, 'root'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs'];
    const env = { ...process.env, REGISTRY_AUTH_FILE: join(work, 'auth.json') };
    await writeFile(env.REGISTRY_AUTH_FILE, '{}');
    podman = async (args, input) => (await run('podman', [...storage, ...args], { env, timeoutMs: 120_000, ...(input ? { input } : {}) })).stdout;
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('logs in with the token, pushes, and pulls back the same digest', async () => {
    const layout = join(work, 'layout');
    await buildOciLayout(layout, { tag: 'v1', layers: [{ files: [{ path: 'hello.txt', content: 'hello from podman\n' }] }] });
    const id = (await podman(['pull', '--quiet', `oci:${layout}:v1`])).trim();
    const reference = `${registry.host}/podman/app:v1`;
    await podman(['tag', id, reference]);
    if (registry.credentials) {
      const login = await podman(
        ['login', '--tls-verify=false', '--username', registry.credentials.username, '--password-stdin', registry.host],
        registry.credentials.password,
      );
      expect(login).toContain('Login Succeeded');
    }
    const digestFile = join(work, 'digest');
    await podman(['push', '--tls-verify=false', '--digestfile', digestFile, reference]);
    const pushed = (await readFile(digestFile, 'utf8')).trim();
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);

    await podman(['rmi', '--all', '--force']);
    await podman(['pull', '--tls-verify=false', `${registry.host}/podman/app@${pushed}`]);
    const inspected = JSON.parse(await podman(['image', 'inspect', `${registry.host}/podman/app@${pushed}`])) as { Digest: string }[];
    expect(inspected[0]?.Digest).toBe(pushed);
  }, 180_000);
});
