import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createUpstreamClient, UpstreamNotFoundError, UpstreamUnauthorizedError, type UpstreamClient, type UpstreamTarget } from './index';
import { describeWithUpstreamRegistry, installLoopbackTripwire, startUpstreamRegistry, type UpstreamAuthMode, type UpstreamRegistryHandle } from './testing';

async function sha256Of(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

const modes: UpstreamAuthMode[] = ['none', 'basic', 'token'];

describeWithUpstreamRegistry('UpstreamClient against docker-registry 2.8.2', () => {
  let removeTripwire: () => void;
  beforeAll(() => (removeTripwire = installLoopbackTripwire()));
  afterAll(() => removeTripwire());

  describe.each(modes)('with auth %s', (auth) => {
    let upstream: UpstreamRegistryHandle;
    let client: UpstreamClient;
    let target: UpstreamTarget;

    beforeAll(async () => {
      upstream = await startUpstreamRegistry({ auth });
      target = { registry: upstream.registry, insecure: true, ...(upstream.credentials ? { credentials: upstream.credentials } : {}) };
      client = createUpstreamClient(target);
    });
    afterAll(() => upstream.stop());

    it('fetches a manifest by tag and by digest, byte-exact and verified', async () => {
      const pushed = await upstream.pushImage('library/alpine', '3', { layers: [randomBytes(2048)] });

      const byTag = await client.getManifest('library/alpine', '3');
      const byDigest = await client.getManifest('library/alpine', pushed.digest);

      expect(byTag).toEqual({ digest: pushed.digest, mediaType: pushed.mediaType, bytes: pushed.bytes });
      expect(byDigest).toEqual(byTag);
    });

    it('answers HEAD with digest, media type and size, and undefined for an unknown tag', async () => {
      const pushed = await upstream.pushImage('library/head', 'v1', { layers: [randomBytes(64)] });

      await expect(client.headManifest('library/head', 'v1')).resolves.toEqual({
        digest: pushed.digest,
        mediaType: pushed.mediaType,
        size: pushed.bytes.length,
      });
      await expect(client.headManifest('library/head', 'missing')).resolves.toBeUndefined();
    });

    it('fetches an index and each of its children', async () => {
      const pushed = await upstream.pushIndex('multi/arch', 'latest', [
        { layers: [randomBytes(100)], platform: 'linux/amd64' },
        { layers: [randomBytes(100)], platform: 'linux/arm64' },
      ]);

      const index = await client.getManifest('multi/arch', 'latest');
      const children = await Promise.all(pushed.children.map((child) => client.getManifest('multi/arch', child.digest)));

      expect(index).toEqual({ digest: pushed.digest, mediaType: 'application/vnd.oci.image.index.v1+json', bytes: pushed.bytes });
      expect(children.map((child) => child.bytes)).toEqual(pushed.children.map((child) => child.bytes));
    });

    it('streams a blob that hashes to its digest', async () => {
      const layer = randomBytes(3 * 1024 * 1024);
      const pushed = await upstream.pushImage('streamed/blob', 'v1', { layers: [layer] });
      const digest = pushed.layers[0]?.digest ?? '';

      const blob = await client.openBlob('streamed/blob', digest);

      expect(blob.size).toBe(layer.length);
      await expect(sha256Of(blob.body)).resolves.toBe(digest);
    });

    it('reports unknown manifests and blobs as UpstreamNotFoundError', async () => {
      await upstream.pushImage('present/repo', 'v1', { layers: [randomBytes(10)] });

      await expect(client.getManifest('present/repo', 'nope')).rejects.toBeInstanceOf(UpstreamNotFoundError);
      await expect(client.getManifest('absent/repo', 'v1')).rejects.toBeInstanceOf(UpstreamNotFoundError);
      await expect(client.openBlob('present/repo', `sha256:${'0'.repeat(64)}`)).rejects.toBeInstanceOf(UpstreamNotFoundError);
    });

    it('sees a moved tag', async () => {
      const first = await upstream.pushImage('moving/tag', 'stable', { layers: [randomBytes(10)] });
      const second = await upstream.pushImage('moving/tag', 'next', { layers: [randomBytes(10)] });
      await expect(client.getManifest('moving/tag', 'stable')).resolves.toMatchObject({ digest: first.digest });

      await upstream.tag('moving/tag', 'stable', second);

      await expect(client.getManifest('moving/tag', 'stable')).resolves.toMatchObject({ digest: second.digest });
    });

    it('passes the ValidatePullThroughCacheRule check', async () => {
      await expect(client.check()).resolves.toEqual({ reachable: true, authenticated: true });
    });

    if (auth !== 'none') {
      it('rejects bad credentials', async () => {
        await upstream.pushImage('private/repo', 'v1', { layers: [randomBytes(10)] });
        const intruder = createUpstreamClient({ ...target, credentials: { username: 'upstream', password: 'wrong' } });

        await expect(intruder.getManifest('private/repo', 'v1')).rejects.toBeInstanceOf(UpstreamUnauthorizedError);
        await expect(intruder.check()).resolves.toMatchObject({ reachable: true, authenticated: false });
      });

      it('rejects anonymous pulls from a private upstream', async () => {
        await upstream.pushImage('private/anon', 'v1', { layers: [randomBytes(10)] });
        const anonymous = createUpstreamClient({ registry: upstream.registry, insecure: true });

        await expect(anonymous.getManifest('private/anon', 'v1')).rejects.toBeInstanceOf(UpstreamUnauthorizedError);
      });
    }

    if (auth === 'token') {
      it('reuses a token for its scope until it expires', async () => {
        await upstream.pushImage('cached/token', 'v1', { layers: [randomBytes(10)] });
        const fresh = createUpstreamClient(target);
        await fresh.getManifest('cached/token', 'v1');
        const before = upstream.tokenRequests();

        await fresh.getManifest('cached/token', 'v1');
        await fresh.headManifest('cached/token', 'v1');

        expect(upstream.tokenRequests()).toBe(before);
      });
    }
  });

  describe('with token auth and anonymous pulls', () => {
    let upstream: UpstreamRegistryHandle;
    beforeAll(async () => {
      upstream = await startUpstreamRegistry({ auth: 'token', anonymousPull: true });
    });
    afterAll(() => upstream.stop());

    it('pulls with an anonymous token', async () => {
      const pushed = await upstream.pushImage('public/image', 'v1', { layers: [randomBytes(10)] });
      const anonymous = createUpstreamClient({ registry: upstream.registry, insecure: true });

      await expect(anonymous.getManifest('public/image', 'v1')).resolves.toMatchObject({ digest: pushed.digest });
    });
  });
});
