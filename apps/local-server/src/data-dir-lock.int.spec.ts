import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from './server';

/**
 * The embedded server keeps upload state in memory, so it serves its data directory alone: a second
 * server on the same directory is refused before it touches anything (it would clear `tmp/` under the
 * first one's uploads and append at sizes the first one no longer has). A front and its upload gateway
 * share a directory by design and may run together.
 */
const logger = pino({ level: 'silent' });
let dataDir: string;
const running: RunningServer[] = [];
const start = async (options: Partial<Parameters<typeof startServer>[0]> = {}) => {
  const server = await startServer({ port: 0, dataDir, logger, ...options });
  running.push(server);
  return server;
};

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-lock-'));
});
afterEach(async () => {
  for (const server of running.splice(0).reverse()) await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

it('refuses a second server on a data directory in use, and serves it once the first stopped', async () => {
  const first = await start();
  await expect(start()).rejects.toMatchObject({ name: 'DirectoryInUseError' });
  expect((await fetch(`${first.url}/v2/`)).status).toBe(401);

  await first.close();
  running.splice(running.indexOf(first), 1);
  const second = await start();
  expect((await fetch(`${second.url}/v2/`)).status).toBe(401);
});

it('lets a front and its upload gateway share the directory, but no server that serves it alone', async () => {
  const gateway = await start({ role: 'upload-gateway' });
  await start({ uploadGatewayUrl: gateway.url });
  await expect(start()).rejects.toMatchObject({ name: 'DirectoryInUseError' });
});
