import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { UpstreamCredentials } from '../upstream-client';
import { dockerRegistryBinary } from './docker-registry-binary';
import { RegistryPusher } from './registry-pusher';
import type { PushedImage, PushedIndex, TestImage } from './test-images';
import { TokenIssuer } from './token-issuer';
import { startTokenServer, type TokenServerHandle } from './token-server';

export type UpstreamAuthMode = 'none' | 'basic' | 'token';

export interface UpstreamRegistryOptions {
  readonly auth: UpstreamAuthMode;
  /** Accepted credentials (basic: htpasswd; token: the token server). Default one user `upstream` / `upstream-secret`. */
  readonly users?: readonly UpstreamCredentials[];
  /** token mode: the token server also issues pull-only tokens to anonymous callers. Default false. */
  readonly anonymousPull?: boolean;
}

/** A running Debian `docker-registry` on 127.0.0.1 with its own temporary storage. */
export interface UpstreamRegistryHandle {
  /** `127.0.0.1:<port>`: an UpstreamTarget's `registry` (insecure: true). */
  readonly registry: string;
  /** The credentials the harness itself pushes with (the first user); undefined with auth 'none'. */
  readonly credentials?: UpstreamCredentials;
  /** Token mode: how many token requests the token server answered so far (0 otherwise). */
  tokenRequests(): number;
  /** Pushes blobs, config and manifest under `reference` (a tag, or the manifest's digest). */
  pushImage(repository: string, reference: string, image: TestImage): Promise<PushedImage>;
  /** Pushes each child image by digest, then an OCI index over them under `tag`. */
  pushIndex(repository: string, tag: string, images: readonly TestImage[]): Promise<PushedIndex>;
  /** Points `tag` at an already pushed manifest (its exact bytes): moves the tag. */
  tag(repository: string, tag: string, manifest: { readonly mediaType: string; readonly bytes: Buffer }): Promise<void>;
  /** Stops the registry (and token server) and deletes its storage. */
  stop(): Promise<void>;
}

const DEFAULT_USERS: readonly UpstreamCredentials[] = [{ username: 'upstream', password: 'upstream-secret' }];
const SERVICE = 'cargohold-test-upstream';

/**
 * Starts Debian's docker-registry (distribution 2.8.2) on a free loopback port with temporary storage:
 * open, behind htpasswd Basic auth, or behind a token service of our own. Throws when the binary is
 * missing: gate suites with `describeWithUpstreamRegistry`, which skips loudly outside CI.
 */
export async function startUpstreamRegistry(options: UpstreamRegistryOptions): Promise<UpstreamRegistryHandle> {
  const binary = dockerRegistryBinary();
  if (binary === undefined) throw new Error('docker-registry is not on PATH (Debian package docker-registry)');
  const users = options.users ?? DEFAULT_USERS;
  const directory = await mkdtemp(join(tmpdir(), 'cargohold-upstream-'));
  let tokens: TokenServerHandle | undefined;
  try {
    let issuer: TokenIssuer | undefined;
    let auth = '';
    if (options.auth === 'basic') {
      const lines = users.map((user) => `${user.username}:${bcrypt.hashSync(user.password, 4)}`);
      await writeFile(join(directory, 'htpasswd'), `${lines.join('\n')}\n`);
      auth = `auth:\n  htpasswd:\n    realm: cargohold-test\n    path: ${join(directory, 'htpasswd')}\n`;
    } else if (options.auth === 'token') {
      issuer = await TokenIssuer.create(directory, 'cargohold-test-issuer', SERVICE);
      tokens = await startTokenServer(issuer, users, options.anonymousPull ?? false);
      auth = `auth:\n  token:\n    realm: ${tokens.realm}\n    service: ${SERVICE}\n    issuer: ${issuer.issuer}\n    rootcertbundle: ${issuer.certificatePath}\n`;
    }
    const port = await freePort();
    const config = [
      'version: 0.1',
      'log:\n  level: error\n  accesslog:\n    disabled: true',
      `storage:\n  filesystem:\n    rootdirectory: ${join(directory, 'data')}\n  delete:\n    enabled: true`,
      `http:\n  addr: 127.0.0.1:${port}\n  secret: cargohold-test-secret`,
      auth,
    ].join('\n');
    await writeFile(join(directory, 'config.yml'), config);
    const child = spawn(binary, ['serve', join(directory, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const base = `http://127.0.0.1:${port}`;
    await waitUntilServing(base, child, () => stderr);
    const first = options.auth === 'none' ? undefined : users[0];
    const basic = first && `Basic ${Buffer.from(`${first.username}:${first.password}`).toString('base64')}`;
    const pusher = new RegistryPusher(base, (repository) => {
      if (options.auth === 'basic') return basic;
      if (issuer === undefined) return undefined;
      return `Bearer ${issuer.issue(first?.username ?? 'pusher', [{ type: 'repository', name: repository, actions: ['pull', 'push'] }], 300)}`;
    });
    const tokenServer = tokens;
    return {
      registry: `127.0.0.1:${port}`,
      ...(first ? { credentials: first } : {}),
      tokenRequests: () => tokenServer?.requests() ?? 0,
      pushImage: (repository, reference, image) => pusher.pushImage(repository, reference, image),
      pushIndex: (repository, tag, images) => pusher.pushIndex(repository, tag, images),
      tag: (repository, tag, manifest) => pusher.putManifest(repository, tag, manifest.mediaType, manifest.bytes),
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await once(child, 'exit');
        }
        await tokenServer?.stop();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await tokens?.stop();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitUntilServing(base: string, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr()}`);
    try {
      await (await fetch(`${base}/v2/`)).arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGTERM');
  throw new Error(`docker-registry did not start within 15 s: ${stderr()}`);
}
