import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from './server';

/**
 * An fsync of the metadata that fails must not be acknowledged, and must reach whoever runs the server
 * (the CLI stops the process): SQLite's own commits could otherwise go on succeeding over a WAL that lost
 * frames. The WAL file is unlinked under the server before its first upload, so the upload session's
 * fsync fails for real (the file it opens to sync is gone).
 */
let dataDir: string;
let server: RunningServer;
const failures: unknown[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-durability-'));
  server = await startServer({
    port: 0,
    dataDir,
    logger: pino({ level: 'silent' }),
    allowAnonymous: true,
    onStorageFailure: (error) => failures.push(error),
  });
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

it('answers an upload whose session it could not sync with an error, and reports the failure once', async () => {
  // Before the first upload: the WAL is opened for syncing on first use.
  expect((await fetch(`${server.url}/v2/durable/app/tags/list`)).status).toBe(404);
  await unlink(join(dataDir, 'metadata.db-wal'));
  for (let attempt = 0; attempt < 2; attempt++) {
    const after = await fetch(`${server.url}/v2/durable/app/blobs/uploads/`, { method: 'POST' });
    expect(after.status).toBe(500);
    expect(after.headers.get('location')).toBeNull();
  }
  expect(failures).toEqual([expect.objectContaining({ code: 'ENOENT' })]);
});
