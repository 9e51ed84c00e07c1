import { createHash } from 'node:crypto';
import { upstreamFailure } from '@cargohold/storage-ports';
import { startFakeUpstream, type FakeUpstream } from '@cargohold/upstream-registry/testing';
import { upstreamConnector } from './upstream-connector';

const BLOB = Buffer.from('the real bytes');
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;

async function drain(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('upstreamConnector', () => {
  let upstream: FakeUpstream;
  beforeAll(
    async () =>
      (upstream = await startFakeUpstream((request, response) => {
        if (request.url === '/v2/') return void response.writeHead(200).end('{}');
        if (request.url?.includes('/blobs/')) {
          // The right length, the wrong bytes: the client's verification fails at the end of the body.
          return void response.writeHead(200, { 'Content-Length': BLOB.length }).end(Buffer.from(BLOB.map((byte) => byte ^ 1)));
        }
        response.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"no"}]}');
      })),
  );
  afterAll(() => upstream.stop());
  const connect = () => upstreamConnector({ timeoutMs: 2_000 })({ registry: upstream.host, insecure: true });

  it('names a 404 not-found, and a body that does not hash to its digest digest-mismatch, even when nobody read it yet', async () => {
    const missing = await connect()
      .getManifest('library/app', 'latest', [])
      .catch((error: unknown) => error);
    const blob = await connect().openBlob('library/app', DIGEST);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const bad = await drain(blob.body).catch((error: unknown) => error);

    expect(upstreamFailure(missing)).toBe('not-found');
    expect(upstreamFailure(bad)).toBe('digest-mismatch');
  });

  it('reports an address the guard refuses as refused, from check(), before any request is sent', async () => {
    const before = upstream.requests.length;
    const refused = await upstreamConnector()({ registry: upstream.host, insecure: false })
      .check()
      .catch((error: unknown) => error);

    expect(upstreamFailure(refused)).toBe('refused');
    expect(upstream.requests.length).toBe(before);
  });
});
