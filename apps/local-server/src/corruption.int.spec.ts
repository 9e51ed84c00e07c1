import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from './server';
import { blobFile, flipByte, getBody, truncateFile } from './testing/corruption';
import { OCI_MANIFEST, RegistryClient, sha256 } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

const KiB = 1024;
/** Several read chunks (the fs adapter reads 1 MiB at a time), so corruption is met mid-stream. */
const layerOf = (seed: number, size = 2600 * KiB) => Buffer.from(Buffer.alloc(size).map((_, i) => (i * 31 + seed * 7) % 251));

describe('corrupt bytes in the embedded store', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  describe('a flipped byte in a stored layer', () => {
    it('aborts the GET before the last byte, then answers BLOB_UNKNOWN until a re-push heals it', async () => {
      const layer = layerOf(1);
      const digest = await t.client.pushBlob('corrupt/flip', layer);
      await flipByte(blobFile(t.dataDir, digest));

      const first = await getBody(t.server.url, `/v2/corrupt/flip/blobs/${digest}`);
      expect(first.complete).toBe(false);
      expect(first.body.length).toBeLessThan(layer.length);
      expect(first.ms).toBeLessThan(5000);

      const second = await t.client.send('GET', `/v2/corrupt/flip/blobs/${digest}`);
      expect(second.status).toBe(404);
      expect(second.json()).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN', detail: { digest } }] });
      expect((await t.client.send('HEAD', `/v2/corrupt/flip/blobs/${digest}`)).status).toBe(404);
      // The bad bytes are kept aside for inspection, not deleted.
      expect((await stat(join(t.dataDir, 'corrupt', 'sha256', digest.slice(7)))).size).toBe(layer.length);

      await t.client.pushBlob('corrupt/flip', layer);
      const healed = await getBody(t.server.url, `/v2/corrupt/flip/blobs/${digest}`);
      expect(healed.status).toBe(200);
      expect(healed.complete).toBe(true);
      expect(healed.body.equals(layer)).toBe(true);
    });

    it('refuses a ranged GET of a blob found corrupt', async () => {
      const layer = layerOf(2);
      const digest = await t.client.pushBlob('corrupt/range', layer);
      await flipByte(blobFile(t.dataDir, digest), 10);
      expect((await getBody(t.server.url, `/v2/corrupt/range/blobs/${digest}`)).complete).toBe(false);

      const ranged = await t.client.send('GET', `/v2/corrupt/range/blobs/${digest}`, { headers: { Range: 'bytes=0-99' } });
      expect(ranged.status).toBe(404);
      expect(ranged.json()).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN' }] });
    });

    it('aborts a ranged GET over the whole blob (bytes=0-, as containerd asks) just as a plain GET', async () => {
      const layer = layerOf(7);
      const digest = await t.client.pushBlob('corrupt/whole-range', layer);
      await flipByte(blobFile(t.dataDir, digest));

      const ranged = await getBody(t.server.url, `/v2/corrupt/whole-range/blobs/${digest}`, { Range: 'bytes=0-' });
      expect(ranged.complete).toBe(false);
      expect(ranged.body.length).toBeLessThan(layer.length);
      expect((await t.client.send('GET', `/v2/corrupt/whole-range/blobs/${digest}`)).status).toBe(404);
    });

    it('heals through a chunked re-push too', async () => {
      const layer = layerOf(3, 300 * KiB);
      const digest = await t.client.pushBlob('corrupt/chunked', layer);
      await flipByte(blobFile(t.dataDir, digest));
      expect((await getBody(t.server.url, `/v2/corrupt/chunked/blobs/${digest}`)).complete).toBe(false);

      const location = (await t.client.send('POST', '/v2/corrupt/chunked/blobs/uploads/')).headers['location'] as string;
      const patch = await t.client.send('PATCH', location, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${layer.length - 1}`, 'Content-Length': layer.length },
        body: layer,
      });
      expect(patch.status).toBe(202);
      const next = patch.headers['location'] as string;
      expect((await t.client.send('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${digest}`)).status).toBe(201);
      const healed = await getBody(t.server.url, `/v2/corrupt/chunked/blobs/${digest}`);
      expect(healed.complete).toBe(true);
      expect(healed.body.equals(layer)).toBe(true);
    });
  });

  describe('a truncated layer file', () => {
    it('is not reported by HEAD at the length it no longer has', async () => {
      const layer = layerOf(4);
      const digest = await t.client.pushBlob('corrupt/short', layer);
      await truncateFile(blobFile(t.dataDir, digest), 1000);

      const head = await t.client.send('HEAD', `/v2/corrupt/short/blobs/${digest}`);
      expect(head.status).toBe(404);
      expect(head.headers['content-length']).not.toBe(String(layer.length));
    });

    it('fails a GET at once instead of sending the short file and hanging', async () => {
      const layer = layerOf(5);
      const digest = await t.client.pushBlob('corrupt/short', layer);
      await truncateFile(blobFile(t.dataDir, digest), 1000);

      const got = await getBody(t.server.url, `/v2/corrupt/short/blobs/${digest}`);
      expect(got.ms).toBeLessThan(5000);
      expect(got.status === 200 && got.complete).toBe(false);
      expect(got.status).toBe(404);
      expect(JSON.parse(got.body.toString())).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN', detail: { digest } }] });
    });

    it('refuses a ranged GET inside the bytes that are left', async () => {
      const layer = layerOf(6);
      const digest = await t.client.pushBlob('corrupt/short', layer);
      await truncateFile(blobFile(t.dataDir, digest), 1000);

      const ranged = await t.client.send('GET', `/v2/corrupt/short/blobs/${digest}`, { headers: { Range: 'bytes=0-99' } });
      expect(ranged.status).toBe(404);
    });
  });
});

describe('a flipped byte in a stored manifest', () => {
  it('is refused with a clean error after a restart, and a re-push heals it', async () => {
    const first = await startTestServer();
    const { dataDir } = first;
    let image;
    try {
      image = await first.client.pushImage('corrupt/manifest', 'v1');
    } finally {
      await first.server.close(1000);
    }
    await flipByte(blobFile(dataDir, image.digest), 20);

    const again = await startServer({ port: 0, dataDir, config: {}, logger: pino({ level: 'silent' }), allowAnonymous: true });
    try {
      const client = new RegistryClient(again.url);
      const get = await client.send('GET', '/v2/corrupt/manifest/manifests/v1', { headers: { Accept: OCI_MANIFEST } });
      expect(get.status).toBe(404);
      expect(get.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
      const byDigest = await client.send('GET', `/v2/corrupt/manifest/manifests/${image.digest}`, { headers: { Accept: OCI_MANIFEST } });
      expect(byDigest.status).toBe(404);

      const { res } = await client.putManifest('corrupt/manifest', 'v1', image.body.toString(), OCI_MANIFEST);
      expect(res.status).toBe(201);
      const healed = await client.send('GET', '/v2/corrupt/manifest/manifests/v1', { headers: { Accept: OCI_MANIFEST } });
      expect(healed.status).toBe(200);
      expect(healed.body.equals(image.body)).toBe(true);
      expect(sha256(await readFile(blobFile(dataDir, image.digest)))).toBe(image.digest);
    } finally {
      await again.close(1000);
      await first.stop();
    }
  });
});
