import type { HttpRequest } from '@cargohold/lambda-kit';
import { limitRequestBody, RequestTooLargeError } from './request-limits';

/** A transport's request as the local server builds one: `query` parsed on first use, from a prototype getter. */
class LazyQueryRequest implements HttpRequest {
  readonly method = 'PUT';
  readonly path = '/v2/app/blobs/uploads/abc';
  readonly sourceIp = '127.0.0.1';
  constructor(
    readonly headers: Record<string, string | undefined>,
    readonly body: AsyncIterable<Uint8Array>,
  ) {}
  get query(): URLSearchParams {
    return new URLSearchParams('digest=sha256:1234');
  }
}

async function* chunks(...sizes: number[]): AsyncIterable<Uint8Array> {
  for (const size of sizes) yield new Uint8Array(size);
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of body) total += chunk.byteLength;
  return total;
}

const LIMITS = { maxRequestBytes: 100, chunkMinLength: 10 };

describe('limitRequestBody', () => {
  it('keeps a query the request parses on first use, and the rest of the request', async () => {
    const limited = limitRequestBody(new LazyQueryRequest({ 'content-length': '60' }, chunks(30, 30)), LIMITS);
    expect(limited.query.get('digest')).toBe('sha256:1234');
    expect(limited).toMatchObject({ method: 'PUT', path: '/v2/app/blobs/uploads/abc', sourceIp: '127.0.0.1', headers: { 'content-length': '60' } });
    expect(await drain(limited.body)).toBe(60);
  });

  it('refuses a declared length over the cap before reading, and an undeclared one mid-stream', async () => {
    expect(() => limitRequestBody(new LazyQueryRequest({ 'content-length': '101' }, chunks(101)), LIMITS)).toThrow(RequestTooLargeError);
    const chunked = limitRequestBody(new LazyQueryRequest({ 'transfer-encoding': 'chunked' }, chunks(60, 60)), LIMITS);
    await expect(drain(chunked.body)).rejects.toThrow(RequestTooLargeError);
  });
});
