import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { raw, sha256 } from './testing/registry-client';
import { skopeo, skopeoAvailable, writeOciLayout } from './testing/skopeo';

/**
 * `cargohold serve --max-request-bytes N`: the embedded server enforces Lambda's request cap, so the
 * capped upload path is exercised end to end over real HTTP.
 */
const CAP = 256 * 1024;

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-cap-'));
  server = await startServer({ port: 0, dataDir, logger: pino({ level: 'silent' }), allowAnonymous: true, maxRequestBytes: CAP });
});

afterAll(async () => {
  await server?.close(1000);
  await rm(dataDir, { recursive: true, force: true });
});

const send = (method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer) =>
  raw(server.url, method, path, { headers, ...(body ? { body } : {}) });

describe('the embedded server under --max-request-bytes', () => {
  it('advertises OCI-Chunk-Min-Length (the cap, being under 5 MiB) and commits a multi-chunk upload', async () => {
    const blob = randomBytes(CAP * 2 + 999);
    const start = await send('POST', '/v2/cap/app/blobs/uploads/');
    expect(start.headers['oci-chunk-min-length']).toBe(String(CAP));
    let location = String(start.headers['location']);
    for (let offset = 0; offset < blob.length; offset += CAP) {
      const part = blob.subarray(offset, offset + CAP);
      const res = await send('PATCH', location, { 'Content-Length': part.length, 'Content-Range': `${offset}-${offset + part.length - 1}` }, part);
      expect(res.status).toBe(202);
      location = String(res.headers['location']);
    }
    const done = await send('PUT', `${location}?digest=${sha256(blob)}`, { 'Content-Length': 0 });
    expect(done.status).toBe(201);
    const pulled = await send('GET', `/v2/cap/app/blobs/${sha256(blob)}`);
    expect(pulled.body.equals(blob)).toBe(true);
  });

  it('answers 413 SIZE_INVALID to an oversize PATCH and keeps the upload exactly as it was', async () => {
    const start = await send('POST', '/v2/cap/app/blobs/uploads/');
    const location = String(start.headers['location']);
    const first = randomBytes(1000);
    await send('PATCH', location, { 'Content-Length': first.length, 'Content-Range': `0-999` }, first);

    const big = randomBytes(CAP + 1);
    const res = await send('PATCH', location, { 'Content-Length': big.length, 'Content-Range': `1000-${1000 + CAP}` }, big);

    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ errors: [{ code: 'SIZE_INVALID' }] });
    const status = await send('GET', location);
    expect(status.headers['range']).toBe('0-999');
    const last = randomBytes(10);
    const done = await send('PUT', `${location}?digest=${sha256(Buffer.concat([first, last]))}`, { 'Content-Length': 10, 'Content-Range': '1000-1009' }, last);
    expect(done.status).toBe(201);
  });

  const withSkopeo = skopeoAvailable() ? describe : describe.skip;
  withSkopeo('skopeo', () => {
    // containers/image sends each blob as ONE streamed PATCH and ignores OCI-Chunk-Min-Length, so under
    // a cap skopeo can push only images whose blobs each fit under it; a bigger layer fails with 413.
    it('pushes and pulls an image whose layers fit under the cap', async () => {
      const work = await mkdtemp(join(tmpdir(), 'cargohold-cap-skopeo-'));
      try {
        const image = await writeOciLayout(join(work, 'src'), 'v1', [randomBytes(CAP - 100), randomBytes(5000)]);
        const host = new URL(server.url).host;
        await skopeo(['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${join(work, 'src')}:v1`, `docker://${host}/cap/skopeo:v1`]);
        await skopeo(['copy', '--src-tls-verify=false', `docker://${host}/cap/skopeo:v1`, `dir:${join(work, 'out')}`]);
        expect((await readFile(join(work, 'out', 'manifest.json'))).equals(image.manifest)).toBe(true);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });

    it('fails cleanly (413, registry unchanged) when a layer is bigger than the cap', async () => {
      const work = await mkdtemp(join(tmpdir(), 'cargohold-cap-skopeo-'));
      try {
        await writeOciLayout(join(work, 'src'), 'v1', [randomBytes(CAP * 3)]);
        const host = new URL(server.url).host;
        const push = skopeo(['copy', '--retry-times', '0', '--dest-tls-verify=false', `oci:${join(work, 'src')}:v1`, `docker://${host}/cap/too-big:v1`]);
        await expect(push).rejects.toMatchObject({ stderr: expect.stringMatching(/413|SIZE_INVALID|too large|exceeds/i) });
        const tags = await send('GET', '/v2/cap/too-big/tags/list');
        expect(tags.json<{ tags: string[] | null }>().tags ?? []).toEqual([]);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  });
});
