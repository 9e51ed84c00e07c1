import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ConfigFile } from '../config';
import { startServer, type RunningServer } from '../server';
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
export async function startTestServer(config: ConfigFile = {}, options: { allowAnonymous?: boolean } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-test-'));
  const server = await startServer({
    port: 0,
    dataDir,
    config,
    logger: pino({ level: 'silent' }),
    allowAnonymous: options.allowAnonymous ?? true,
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
