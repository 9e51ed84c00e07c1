import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { bundleCli, spawnServer } from './testing/child-server';
import { raw, sha256 } from './testing/registry-client';

const MiB = 1024 * 1024;

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

/** Bytes in the deterministic pattern the spec pushes (no two chunks alike). */
function patterned(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = 0; at < length; at += 4) out.writeUInt32LE((at * 2654435761) >>> 0, at);
  return out;
}

describe('a chunked upload resumed in another server process', () => {
  let dir: string;
  let cli: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-resume-'));
    cli = bundleCli(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hashes only the bytes the first process had not hashed, after a kill -9', async () => {
    const dataDir = join(dir, 'data');
    const blob = patterned(64 * MiB);
    const half = 32 * MiB;
    const first = await spawnServer(cli, dataDir);
    const location = (await raw(first.url, 'POST', '/v2/resume/app/blobs/uploads/')).headers['location'] as string;
    const patched = await raw(first.url, 'PATCH', location, {
      headers: { 'Content-Range': `0-${half - 1}`, 'Content-Length': half, 'Content-Type': 'application/octet-stream' },
      body: blob.subarray(0, half),
    });
    expect(patched.status).toBe(202);
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await spawnServer(cli, dataDir);
    try {
      expect((await raw(second.url, 'GET', location)).headers['range']).toBe(`0-${half - 1}`);
      const rest = await raw(second.url, 'PATCH', location, {
        headers: { 'Content-Range': `${half}-${blob.length - 1}`, 'Content-Length': blob.length - half, 'Content-Type': 'application/octet-stream' },
        body: blob.subarray(half),
      });
      expect(rest.status).toBe(202);
      const put = await raw(second.url, 'PUT', `${location}?digest=${sha256(blob)}`);
      expect(put.status).toBe(201);
      const head = await raw(second.url, 'HEAD', `/v2/resume/app/blobs/${sha256(blob)}`);
      expect(head.headers['content-length']).toBe(String(blob.length));
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
    const stopped = second
      .output()
      .split('\n')
      .filter((line) => line.includes('"cargohold stopped"'))
      .map((line) => JSON.parse(line) as { hashedUploadBytes: number });
    // The second process hashed the second chunk only: the first chunk's state came with the upload.
    expect(stopped).toEqual([expect.objectContaining({ hashedUploadBytes: blob.length - half })]);
  }, 120_000);
});
