import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { S3Objects } from './s3-objects';

/** An endpoint that answers every request with an ETag and keeps each request's headers and body size. */
async function recordingEndpoint(): Promise<{
  server: Server;
  url: string;
  seen: { method?: string; url?: string; headers: IncomingHttpHeaders; bytes: number }[];
}> {
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; bytes: number }[] = [];
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, bytes });
      response.writeHead(200, { ETag: '"e1"' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

// What the SDK puts on the wire, so a real client against a recording endpoint rather than a mocked one.
describe('S3Objects request signing', () => {
  let endpoint: Awaited<ReturnType<typeof recordingEndpoint>>;
  let client: S3Client;
  let objects: S3Objects;

  beforeAll(async () => {
    endpoint = await recordingEndpoint();
    client = new S3Client({
      endpoint: endpoint.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    objects = new S3Objects(client, 'bucket');
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => endpoint.server.close(resolve));
  });
  beforeEach(() => (endpoint.seen.length = 0));

  it('signs an UploadPart without hashing its body, and still sends all of it', async () => {
    const part = Buffer.alloc(64 * 1024, 7);

    await expect(objects.uploadPart('data/k', 'u1', 3, part, part.length)).resolves.toEqual({ number: 3, etag: '"e1"', size: part.length });

    const [request] = endpoint.seen;
    expect(request).toMatchObject({ method: 'PUT', bytes: part.length });
    expect(request?.url).toContain('partNumber=3');
    expect(request?.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 .*SignedHeaders=.*x-amz-content-sha256.*Signature=[0-9a-f]{64}$/);
  });

  it('keeps the payload hash on other writes (state.json, tails, pointers)', async () => {
    const bytes = Buffer.from('{"version":1}');

    await objects.put('uploads/x/state.json', bytes);

    expect(endpoint.seen[0]?.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
