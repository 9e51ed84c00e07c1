import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  createUpstreamClient,
  UpstreamDigestMismatchError,
  UpstreamRefusedError,
  UpstreamTooLargeError,
  UpstreamUnavailableError,
  type UpstreamClientOptions,
} from './index';
import { installLoopbackTripwire, startFakeUpstream, type FakeRoute, type FakeUpstream } from './testing';

const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}');
const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OTHER_DIGEST = digestOf(Buffer.from('something else'));

async function drain(body: Readable): Promise<number> {
  let total = 0;
  for await (const chunk of body) total += (chunk as Buffer).length;
  return total;
}

describe('UpstreamClient against a misbehaving upstream', () => {
  // Should the guard ever break, the tripwire (not the network) stops the connection.
  let removeTripwire: () => void;
  beforeAll(() => (removeTripwire = installLoopbackTripwire()));
  afterAll(() => removeTripwire());

  const servers: FakeUpstream[] = [];
  async function serve(route: FakeRoute, address?: string): Promise<FakeUpstream> {
    const server = await startFakeUpstream(route, address);
    servers.push(server);
    return server;
  }
  const clientFor = (server: FakeUpstream, options: UpstreamClientOptions = {}) =>
    createUpstreamClient({ registry: server.host, insecure: true }, { timeoutMs: 2000, ...options });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  describe('digests', () => {
    it('rejects a manifest whose bytes do not hash to the digest asked for', async () => {
      const server = await serve((_request, response) =>
        response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(MANIFEST),
      );

      await expect(clientFor(server).getManifest('a/b', OTHER_DIGEST)).rejects.toBeInstanceOf(UpstreamDigestMismatchError);
    });

    it('rejects a manifest whose bytes do not hash to the Docker-Content-Digest it claims', async () => {
      const server = await serve((_request, response) =>
        response.writeHead(200, { 'docker-content-digest': OTHER_DIGEST, 'content-type': 'application/json' }).end(MANIFEST),
      );

      await expect(clientFor(server).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamDigestMismatchError);
    });

    it('computes the digest of a manifest served by tag without a claim, and reads the media type from its body', async () => {
      const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(MANIFEST));

      await expect(clientFor(server).getManifest('a/b', 'latest')).resolves.toEqual({
        digest: digestOf(MANIFEST),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        bytes: MANIFEST,
      });
    });

    it('errors a blob body with UpstreamDigestMismatchError once the wrong bytes have streamed', async () => {
      const server = await serve((_request, response) => response.writeHead(200, { 'content-length': '4' }).end('evil'));

      const blob = await clientFor(server).openBlob('a/b', OTHER_DIGEST);

      expect(blob.size).toBe(4);
      await expect(drain(blob.body)).rejects.toBeInstanceOf(UpstreamDigestMismatchError);
    });

    it('keeps a mismatch that happens before reading starts for the reader', async () => {
      const server = await serve((_request, response) => response.writeHead(200, { 'content-length': '4' }).end('evil'));
      const blob = await clientFor(server).openBlob('a/b', OTHER_DIGEST);

      await new Promise((resolve) => setTimeout(resolve, 100));

      await expect(drain(blob.body)).rejects.toBeInstanceOf(UpstreamDigestMismatchError);
    });

    it('errors a blob body cut short by the upstream', async () => {
      const server = await serve((_request, response) => {
        response.writeHead(200, { 'content-length': '1000' }).write('only a little');
        setTimeout(() => response.destroy(), 20);
      });

      const blob = await clientFor(server).openBlob('a/b', OTHER_DIGEST);

      await expect(drain(blob.body)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });
  });

  describe('size caps', () => {
    it('refuses a manifest announced larger than maxManifestBytes', async () => {
      const server = await serve((_request, response) => response.writeHead(200, { 'content-length': String(MANIFEST.length) }).end(MANIFEST));

      await expect(clientFor(server, { maxManifestBytes: 16 }).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamTooLargeError);
    });

    it('stops reading a chunked manifest once it passes maxManifestBytes', async () => {
      const server = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let chunk = 0; chunk < 64; chunk++) response.write(Buffer.alloc(1024, 0x20));
        response.end();
      });

      await expect(clientFor(server, { maxManifestBytes: 8 * 1024 }).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamTooLargeError);
    });
  });

  describe('availability', () => {
    it('gives up on an upstream that does not answer within timeoutMs', async () => {
      const server = await serve(() => undefined);

      await expect(clientFor(server, { timeoutMs: 200 }).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    it('gives up when name resolution does not answer within timeoutMs', async () => {
      const client = createUpstreamClient({ registry: 'registry.example', insecure: false }, { resolve: () => new Promise(() => undefined), timeoutMs: 200 });

      await expect(client.getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    it('gives up on a manifest that trickles in slower than timeoutMs in all', async () => {
      const server = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        const drip = setInterval(() => response.write(' '), 50);
        response.on('close', () => clearInterval(drip));
      });

      await expect(clientFor(server, { timeoutMs: 300 }).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    it('gives up on a blob body that stalls', async () => {
      const server = await serve((_request, response) => response.writeHead(200, { 'content-length': '100' }).write('a few bytes'));

      const blob = await clientFor(server, { timeoutMs: 200 }).openBlob('a/b', OTHER_DIGEST);

      await expect(drain(blob.body)).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });

    it('reports a 5xx as unavailable, and check() says unreachable', async () => {
      const server = await serve((_request, response) => response.writeHead(503).end());

      await expect(clientFor(server).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamUnavailableError);
      await expect(clientFor(server).check()).resolves.toEqual({ reachable: false, authenticated: false, failure: expect.any(String) });
    });

    it('reports a refused connection as unavailable', async () => {
      const server = await serve(() => undefined);
      const client = clientFor(server);
      await server.stop();

      await expect(client.getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    });
  });

  describe('the SSRF guard', () => {
    it('refuses a loopback upstream that is not listed as insecure, sending it nothing', async () => {
      const server = await serve((_request, response) => response.writeHead(200).end(MANIFEST));
      const client = createUpstreamClient({ registry: server.host, insecure: false });

      await expect(client.getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamRefusedError);
      expect(server.requests).toHaveLength(0);
    });

    it('refuses a token realm on another host, asking it nothing', async () => {
      const realm = await serve((_request, response) => response.writeHead(200).end('{"token":"t"}'), '127.0.0.2');
      const server = await serve((_request, response) =>
        response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${realm.host}/token",service="s"` }).end(),
      );

      await expect(clientFor(server).getManifest('a/b', 'latest')).rejects.toBeInstanceOf(UpstreamRefusedError);
      expect(realm.requests).toHaveLength(0);
    });

    it('uses a token realm on another host when that host is allowed', async () => {
      const realm = await serve((_request, response) => response.writeHead(200).end('{"token":"granted"}'), '127.0.0.2');
      const server = await serve((request, response) => {
        if (request.headers.authorization === 'Bearer granted') return response.writeHead(200, { 'content-type': 'application/json' }).end(MANIFEST);
        response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${realm.host}/token",service="svc"` }).end();
      });

      await expect(clientFor(server, { allowRedirectHosts: ['127.0.0.2'] }).getManifest('a/b', 'latest')).resolves.toMatchObject({ bytes: MANIFEST });
      expect(realm.requests.map((request) => request.path)).toEqual(['/token?service=svc&scope=repository%3Aa%2Fb%3Apull']);
    });
  });

  describe('redirects', () => {
    const layer = Buffer.from('layer bytes');
    const blobServer = () => serve((_request, response) => response.writeHead(200, { 'content-length': String(layer.length) }).end(layer), '127.0.0.2');
    const redirectingTo = (storage: FakeUpstream) =>
      serve((request, response) => {
        if (request.headers.authorization === undefined) return response.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        response.writeHead(307, { location: `http://${storage.host}/blob?signature=x` }).end();
      });
    const credentials = { username: 'u', password: 'p' };

    it('refuses a redirect to another host, which sees no request', async () => {
      const storage = await blobServer();
      const server = await redirectingTo(storage);
      const client = createUpstreamClient({ registry: server.host, insecure: true, credentials });

      await expect(client.openBlob('a/b', digestOf(layer))).rejects.toBeInstanceOf(UpstreamRefusedError);
      expect(storage.requests).toHaveLength(0);
    });

    it('follows a redirect to an allowed host without sending it the credentials', async () => {
      const storage = await blobServer();
      const server = await redirectingTo(storage);
      const client = createUpstreamClient({ registry: server.host, insecure: true, credentials }, { allowRedirectHosts: [storage.host] });

      const blob = await client.openBlob('a/b', digestOf(layer));

      await expect(drain(blob.body)).resolves.toBe(layer.length);
      expect(storage.requests).toEqual([expect.objectContaining({ path: '/blob?signature=x' })]);
      expect(storage.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('follows a redirect on the same host', async () => {
      const server = await serve((request, response) => {
        if (request.url?.startsWith('/v2/')) return response.writeHead(302, { location: '/storage/blob' }).end();
        response.writeHead(200, { 'content-length': String(layer.length) }).end(layer);
      });

      const blob = await clientFor(server).openBlob('a/b', digestOf(layer));

      await expect(drain(blob.body)).resolves.toBe(layer.length);
    });
  });
});
