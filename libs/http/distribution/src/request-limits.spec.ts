import { createHash } from 'node:crypto';
import { AllowAllAuthorizer } from '@cargohold/auth';
import type { HttpHandler, HttpRequest } from '@cargohold/lambda-kit';
import { createRegistry } from '@cargohold/registry-core';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { createDistributionApi, type DistributionApiDeps } from './distribution-api';

const CAP = 1024;
const LIMITS = { maxRequestBytes: CAP, chunkMinLength: 512 };

async function* bodyOf(...parts: Buffer[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

function request(method: string, target: string, headers: Record<string, string> = {}, body: AsyncIterable<Uint8Array> = bodyOf()): HttpRequest {
  const [path = '', query = ''] = target.split('?');
  return { method, path, query: new URLSearchParams(query), headers: { host: 'localhost:5000', ...headers }, body };
}

function api(extra: Partial<DistributionApiDeps> = {}): HttpHandler {
  return createDistributionApi({
    registry: createRegistry({ storage: createMemoryStorage() }),
    authorizer: new AllowAllAuthorizer(),
    registryFor: () => '000000000000:us-east-1',
    ...extra,
  });
}

async function startUpload(handler: HttpHandler): Promise<string> {
  const res = await handler(request('POST', '/v2/team/app/blobs/uploads/'));
  return String(res.headers['Location']);
}

async function stagedRange(handler: HttpHandler, location: string) {
  return (await handler(request('GET', location))).headers['Range'];
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('distribution API under a request cap', () => {
  it('advertises OCI-Chunk-Min-Length on upload starts and chunks, only when capped', async () => {
    const capped = api({ requestLimits: LIMITS });
    const start = await capped(request('POST', '/v2/team/app/blobs/uploads/'));
    const chunk = await capped(
      request('PATCH', String(start.headers['Location']), { 'content-length': '3', 'content-range': '0-2' }, bodyOf(Buffer.from('abc'))),
    );
    const uncapped = await api()(request('POST', '/v2/team/app/blobs/uploads/'));

    expect([start.status, chunk.status]).toEqual([202, 202]);
    expect([start.headers['OCI-Chunk-Min-Length'], chunk.headers['OCI-Chunk-Min-Length']]).toEqual([512, 512]);
    expect(uncapped.headers['OCI-Chunk-Min-Length']).toBeUndefined();
  });

  it('commits a blob uploaded in chunks that each fit under the cap', async () => {
    const handler = api({ requestLimits: LIMITS });
    const blob = Buffer.alloc(2500, 7);
    let location = await startUpload(handler);
    for (let start = 0; start < blob.length; start += CAP) {
      const part = blob.subarray(start, start + CAP);
      const headers = { 'content-length': String(part.length), 'content-range': `${start}-${start + part.length - 1}` };
      const res = await handler(request('PATCH', location, headers, bodyOf(part)));
      expect(res.status).toBe(202);
      location = String(res.headers['Location']);
    }
    const done = await handler(request('PUT', `${location}?digest=${sha256(blob)}`, { 'content-length': '0' }));
    expect(done.status).toBe(201);
  });

  it('answers 413 SIZE_INVALID to a declared oversize chunk and leaves the upload as it was', async () => {
    const handler = api({ requestLimits: LIMITS });
    const location = await startUpload(handler);
    await handler(request('PATCH', location, { 'content-length': '10', 'content-range': '0-9' }, bodyOf(Buffer.alloc(10))));
    let pulled = false;
    async function* neverRead(): AsyncIterable<Uint8Array> {
      pulled = true;
      yield Buffer.alloc(CAP + 1);
    }

    const res = await handler(request('PATCH', location, { 'content-length': String(CAP + 1), 'content-range': `10-${10 + CAP}` }, neverRead()));

    expect(res.status).toBe(413);
    expect(JSON.parse(String(res.body))).toMatchObject({ errors: [{ code: 'SIZE_INVALID' }] });
    expect(pulled).toBe(false);
    expect(await stagedRange(handler, location)).toBe('0-9');
  });

  it('answers 413 to an undeclared (streamed) body that crosses the cap and rolls the chunk back', async () => {
    const handler = api({ requestLimits: LIMITS });
    const location = await startUpload(handler);
    await handler(request('PATCH', location, {}, bodyOf(Buffer.alloc(10))));

    const res = await handler(request('PATCH', location, {}, bodyOf(Buffer.alloc(600), Buffer.alloc(600))));

    expect(res.status).toBe(413);
    expect(await stagedRange(handler, location)).toBe('0-9');
  });

  it('caps a monolithic push the same way and stores nothing', async () => {
    const handler = api({ requestLimits: LIMITS });
    const blob = Buffer.alloc(CAP + 1);
    const res = await handler(request('POST', `/v2/team/app/blobs/uploads/?digest=${sha256(blob)}`, {}, bodyOf(blob)));
    expect(res.status).toBe(413);
    expect((await handler(request('HEAD', `/v2/team/app/blobs/${sha256(blob)}`))).status).toBe(404);
  });
});

describe('distribution API with blob redirects', () => {
  async function pushed(handler: HttpHandler, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const res = await handler(request('POST', `/v2/team/app/blobs/uploads/?digest=${digest}`, { 'content-length': String(bytes.length) }, bodyOf(bytes)));
    expect(res.status).toBe(201);
    return digest;
  }

  it('answers a blob GET with 307 to the URL the redirects give', async () => {
    const asked: string[] = [];
    const handler = api({ blobRedirects: { urlFor: async (digest) => (asked.push(digest), `https://bucket.s3.example/${digest}?sig=1`) } });
    const digest = await pushed(handler, Buffer.from('layer'));

    const res = await handler(request('GET', `/v2/team/app/blobs/${digest}`));

    expect(res.status).toBe(307);
    expect(res.headers['Location']).toBe(`https://bucket.s3.example/${digest}?sig=1`);
    expect(res.headers['Docker-Content-Digest']).toBe(digest);
    expect(asked).toEqual([digest]);
  });

  it('never redirects to a blob the repository does not hold', async () => {
    const handler = api({ blobRedirects: { urlFor: async () => 'https://bucket.s3.example/x' } });
    const res = await handler(request('GET', `/v2/team/app/blobs/${sha256(Buffer.from('nope'))}`));
    expect(res.status).toBe(404);
  });

  it('streams the blob itself when no URL is available', async () => {
    const handler = api({ blobRedirects: { urlFor: async () => undefined } });
    const digest = await pushed(handler, Buffer.from('layer'));
    const res = await handler(request('GET', `/v2/team/app/blobs/${digest}`));
    expect(res.status).toBe(200);
  });
});
