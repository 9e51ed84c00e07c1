import { request } from 'node:http';
import { PutAccountSettingCommand } from '@aws-sdk/client-ecr';
import { ecrClient } from './testing/ecr-client';
import { startTestServer, type TestServer } from './testing/test-server';
import { sha256, sha512 } from './testing/registry-client';

describe('/v2/ blobs and uploads', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('answers the version check with 200 and the API version header', async () => {
    const res = await t.client.send('GET', '/v2/');
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(res.json()).toEqual({});
  });

  describe('monolithic push', () => {
    it('POST then PUT with the whole body stores a blob under its digest', async () => {
      const bytes = Buffer.from('hello monolithic');
      const post = await t.client.send('POST', '/v2/mono/app/blobs/uploads/');
      expect(post.status).toBe(202);
      const location = post.headers['location'] as string;
      expect(location).toMatch(/^\/v2\/mono\/app\/blobs\/uploads\/[0-9a-f-]{36}$/);
      expect(post.headers['docker-upload-uuid']).toBe(location.split('/').pop());
      const put = await t.client.send('PUT', `${location}?digest=${sha256(bytes)}`, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length },
        body: bytes,
      });
      expect(put.status).toBe(201);
      expect(put.headers['location']).toBe(`/v2/mono/app/blobs/${sha256(bytes)}`);
      expect(put.headers['docker-content-digest']).toBe(sha256(bytes));
      const head = await t.client.send('HEAD', `/v2/mono/app/blobs/${sha256(bytes)}`);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(bytes.length));
      expect(head.body.length).toBe(0);
      const get = await t.client.send('GET', `/v2/mono/app/blobs/${sha256(bytes)}`);
      expect(get.body.equals(bytes)).toBe(true);
      expect(get.headers['docker-content-digest']).toBe(sha256(bytes));
    });

    it('POST with ?digest= stores the blob in a single request', async () => {
      const digest = await t.client.pushBlob('single/req', 'one request');
      const get = await t.client.send('GET', `/v2/single/req/blobs/${digest}`);
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe('one request');
    });

    it('accepts sha512 digests end to end', async () => {
      const bytes = Buffer.from('sha512 content');
      await t.client.pushBlob('sha/five', bytes, sha512(bytes));
      const head = await t.client.send('HEAD', `/v2/sha/five/blobs/${sha512(bytes)}`);
      expect(head.status).toBe(200);
      expect(head.headers['docker-content-digest']).toBe(sha512(bytes));
    });

    it('rejects a digest that does not match the content and stores nothing', async () => {
      const res = await t.client.send('POST', `/v2/mono/app/blobs/uploads/?digest=${sha256('other')}`, {
        headers: { 'Content-Length': 4 },
        body: 'data',
      });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errors: [{ code: 'DIGEST_INVALID' }] });
      expect((await t.client.send('HEAD', `/v2/mono/app/blobs/${sha256('other')}`)).status).toBe(404);
      expect((await t.client.send('HEAD', `/v2/mono/app/blobs/${sha256('data')}`)).status).toBe(404);
    });
  });

  describe('chunked push', () => {
    it('appends in-order chunks, 416s an out-of-order one, reports status with 204, and commits', async () => {
      const bytes = Buffer.from('0123456789abcdefghijKLMNOPQRST');
      const post = await t.client.send('POST', '/v2/chunked/blobs/uploads/');
      const location = post.headers['location'] as string;
      const patch = (start: number, end: number) =>
        t.client.send('PATCH', location, {
          headers: { 'Content-Range': `${start}-${end}`, 'Content-Length': end - start + 1, 'Content-Type': 'application/octet-stream' },
          body: bytes.subarray(start, end + 1),
        });
      const first = await patch(0, 9);
      expect(first.status).toBe(202);
      expect(first.headers['range']).toBe('0-9');
      expect(first.headers['location']).toBe(location);

      const outOfOrder = await patch(20, 29);
      expect(outOfOrder.status).toBe(416);
      expect(outOfOrder.headers['range']).toBe('0-9');
      expect(outOfOrder.json()).toMatchObject({ errors: [{ code: 'BLOB_UPLOAD_INVALID' }] });

      const status = await t.client.send('GET', location);
      expect(status.status).toBe(204);
      expect(status.headers['range']).toBe('0-9');
      expect(status.headers['location']).toBe(location);

      expect((await patch(10, 19)).headers['range']).toBe('0-19');
      const put = await t.client.send('PUT', `${location}?digest=${sha256(bytes)}`, {
        headers: { 'Content-Range': '20-29', 'Content-Length': 10 },
        body: bytes.subarray(20),
      });
      expect(put.status).toBe(201);
      const get = await t.client.send('GET', `/v2/chunked/blobs/${sha256(bytes)}`);
      expect(get.body.equals(bytes)).toBe(true);
    });

    it('appends a streamed PATCH without Content-Range at the end of the upload', async () => {
      const bytes = Buffer.from('streamed body of unknown length');
      const post = await t.client.send('POST', '/v2/streamed/blobs/uploads/');
      const location = post.headers['location'] as string;
      const res = await new Promise<{ status: number; range: string | undefined }>((resolve, reject) => {
        const url = new URL(t.server.url);
        const req = request({ host: url.hostname, port: url.port, method: 'PATCH', path: location }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, range: r.headers['range'] }));
        });
        req.on('error', reject);
        req.write(bytes.subarray(0, 10));
        setTimeout(() => req.end(bytes.subarray(10)), 20);
      });
      expect(res).toEqual({ status: 202, range: `0-${bytes.length - 1}` });
      const put = await t.client.send('PUT', `${location}?digest=${sha256(bytes)}`);
      expect(put.status).toBe(201);
    });

    it('resumes after a failed chunk from the offset the status reports', async () => {
      const bytes = Buffer.alloc(64 * 1024, 7);
      const post = await t.client.send('POST', '/v2/resume/blobs/uploads/');
      const location = post.headers['location'] as string;
      await t.client.send('PATCH', location, { headers: { 'Content-Range': '0-1023', 'Content-Length': 1024 }, body: bytes.subarray(0, 1024) });
      await new Promise<void>((resolve) => {
        const url = new URL(t.server.url);
        const req = request({
          host: url.hostname,
          port: url.port,
          method: 'PATCH',
          path: location,
          headers: { 'Content-Range': `1024-${bytes.length - 1}`, 'Content-Length': bytes.length - 1024 },
        });
        req.on('error', () => resolve());
        req.write(bytes.subarray(1024, 4096), () => setTimeout(() => req.destroy(), 50));
        req.on('close', () => resolve());
      });
      let status = await t.client.send('GET', location);
      for (let i = 0; i < 20 && status.headers['range'] !== '0-1023'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await t.client.send('GET', location);
      }
      expect(status.headers['range']).toBe('0-1023');
      const put = await t.client.send('PUT', `${location}?digest=${sha256(bytes)}`, {
        headers: { 'Content-Range': `1024-${bytes.length - 1}`, 'Content-Length': bytes.length - 1024 },
        body: bytes.subarray(1024),
      });
      expect(put.status).toBe(201);
    });

    it('cancels an upload with DELETE, after which the location is unknown', async () => {
      const location = (await t.client.send('POST', '/v2/cancel/blobs/uploads/')).headers['location'] as string;
      expect((await t.client.send('DELETE', location)).status).toBe(204);
      const res = await t.client.send('GET', location);
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ errors: [{ code: 'BLOB_UPLOAD_UNKNOWN' }] });
    });
  });

  describe('cross-repository mount', () => {
    it('links a blob the source repository holds (201) and falls back to an upload otherwise (202)', async () => {
      // Mounting is opt-in, as on ECR: this registry turns it on.
      const ecr = ecrClient(t.server.url);
      await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' })).finally(() => ecr.destroy());
      const digest = await t.client.pushBlob('mount/source', 'shared layer');
      const mounted = await t.client.send('POST', `/v2/mount/target/blobs/uploads/?mount=${digest}&from=mount/source`);
      expect(mounted.status).toBe(201);
      expect(mounted.headers['location']).toBe(`/v2/mount/target/blobs/${digest}`);
      expect((await t.client.send('GET', `/v2/mount/target/blobs/${digest}`)).body.toString()).toBe('shared layer');

      const fallback = await t.client.send('POST', `/v2/mount/other/blobs/uploads/?mount=${sha256('absent')}&from=mount/source`);
      expect(fallback.status).toBe(202);
      expect(fallback.headers['location']).toMatch(/^\/v2\/mount\/other\/blobs\/uploads\//);
    });
  });

  describe('ranged reads', () => {
    it('answers 206 with Content-Range for satisfiable ranges and 416 otherwise', async () => {
      const digest = await t.client.pushBlob('ranges', '0123456789');
      const get = (range: string) => t.client.send('GET', `/v2/ranges/blobs/${digest}`, { headers: { Range: range } });
      const head = await get('bytes=0-3');
      expect(head.status).toBe(206);
      expect(head.headers['content-range']).toBe('bytes 0-3/10');
      expect(head.body.toString()).toBe('0123');
      expect((await get('bytes=7-')).body.toString()).toBe('789');
      expect((await get('bytes=-2')).body.toString()).toBe('89');
      expect((await get('bytes=8-100')).headers['content-range']).toBe('bytes 8-9/10');
      const beyond = await get('bytes=10-12');
      expect(beyond.status).toBe(416);
      expect(beyond.headers['content-range']).toBe('bytes */10');
    });
  });

  describe('delete', () => {
    it('unlinks a blob from the repository (202) and then 404s it', async () => {
      const digest = await t.client.pushBlob('deleting', 'to be deleted');
      expect((await t.client.send('DELETE', `/v2/deleting/blobs/${digest}`)).status).toBe(202);
      const head = await t.client.send('GET', `/v2/deleting/blobs/${digest}`);
      expect(head.status).toBe(404);
      expect(head.json()).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN' }] });
    });
  });
});
