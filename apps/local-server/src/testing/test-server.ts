import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ConfigFile } from '../config';
import { startServer, type RunningServer } from '../server';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ecrClient, loginPassword } from './ecr-client';
import { RegistryClient } from './registry-client';

export interface TestServer {
  readonly server: RunningServer;
  readonly client: RegistryClient;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * A real cargohold on an ephemeral port over a temporary data directory. The OCI protocol specs run
 * it anonymous (`--allow-anonymous`); the auth specs turn tokens on.
 */
export async function startTestServer(config: ConfigFile = {}, options: { allowAnonymous?: boolean; consoleDir?: string } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-test-'));
  const server = await startServer({
    port: 0,
    dataDir,
    config,
    logger: pino({ level: 'silent' }),
    allowAnonymous: options.allowAnonymous ?? true,
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
  });
  return {
    server,
    client: new RegistryClient(server.url),
    dataDir,
    async stop() {
      await server.close(1000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface EcrTestServer {
  readonly t: TestServer;
  /** @aws-sdk/client-ecr as the default admin (test/test). */
  readonly ecr: ECRClient;
  /** A `/v2/` client logged in with the admin's token, as `aws ecr get-login-password | docker login` does. */
  readonly v2: RegistryClient;
  stop(): Promise<void>;
}

/** A test server with tokens on, the SDK client the ECR API specs drive it with, and a logged-in `/v2/` client. */
export async function startEcrTestServer(config: ConfigFile = {}, options: { consoleDir?: string } = {}): Promise<EcrTestServer> {
  const t = await startTestServer(config, { ...options, allowAnonymous: false });
  const ecr = ecrClient(t.server.url);
  const v2 = t.client.withToken(await loginPassword(ecr));
  return {
    t,
    ecr,
    v2,
    async stop() {
      ecr.destroy();
      await t.stop();
    },
  };
}
