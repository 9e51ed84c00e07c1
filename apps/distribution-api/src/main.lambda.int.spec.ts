import { createHash } from 'node:crypto';
import { issueToken } from '@cargohold/auth';
import { type HttpApiLambda, LAMBDA_PAYLOAD_BYTES, MAX_LAMBDA_REQUEST_BYTES } from '@cargohold/lambda-kit';
import { httpApiEvent, lambdaContext } from '@cargohold/lambda-kit/testing';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';

/**
 * The distribution Lambda exactly as deployed (main.lambda.ts, environment and all), driven with API
 * Gateway HTTP API events, over s3rver and DynamoDB Local.
 */
const TOKEN_KEY = Buffer.alloc(32, 7);
const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let handler: HttpApiLambda;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('lambda-blobs');
  dynamo = await startDynamoDbLocal();
  const table = await dynamo.freshTable();
  Object.assign(process.env, {
    BUCKET: s3.bucket,
    TABLE: table,
    TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64'),
    ALLOW_DEFAULT_IDENTITIES: 'true',
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  ({ handler } = await import('./main.lambda'));
});

afterAll(async () => {
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
});

const { token } = issueToken(
  { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:user/admin', registry: '000000000000:us-east-1' },
  TOKEN_KEY,
  { now: new Date() },
);
const AUTH = { authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}` };

async function invoke(method: string, target: string, headers: Record<string, string> = {}, body?: Buffer) {
  const event = httpApiEvent({ method, target, headers: { ...AUTH, ...headers }, ...(body ? { body } : {}) });
  expect(JSON.stringify(event).length).toBeLessThan(LAMBDA_PAYLOAD_BYTES);
  const result = await handler(event, lambdaContext('distribution-api'));
  const bytes = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  return { status: result.statusCode, headers: result.headers ?? {}, bytes };
}

async function pushChunked(repo: string, blob: Buffer, chunkSize: number): Promise<string> {
  const start = await invoke('POST', `/v2/${repo}/blobs/uploads/`);
  expect(start.status).toBe(202);
  let location = String(start.headers['Location']);
  for (let offset = 0; offset < blob.length; offset += chunkSize) {
    const part = blob.subarray(offset, offset + chunkSize);
    const range = `${offset}-${offset + part.length - 1}`;
    const res = await invoke(
      'PATCH',
      location,
      { 'content-type': 'application/octet-stream', 'content-length': String(part.length), 'content-range': range },
      part,
    );
    expect(res.status).toBe(202);
    location = String(res.headers['Location']);
  }
  const done = await invoke('PUT', `${location}?digest=${sha256(blob)}`, { 'content-length': '0' });
  expect(done.status).toBe(201);
  return sha256(blob);
}

describe('distribution-api Lambda over S3 and DynamoDB', () => {
  const layer = Buffer.alloc(9 * MiB + 123);
  for (let i = 0; i < layer.length; i += 4096) layer.writeUInt32BE(i, i);

  it('advertises a chunk size that fits the 6 MB payload and commits a multi-chunk upload', async () => {
    const start = await invoke('POST', '/v2/team/app/blobs/uploads/');
    expect(start.headers['OCI-Chunk-Min-Length']).toBe(String(4 * MiB));
    const digest = await pushChunked('team/app', layer, 4 * MiB);
    const head = await invoke('HEAD', `/v2/team/app/blobs/${digest}`);
    expect([head.status, head.headers['Content-Length']]).toEqual([200, String(layer.length)]);
  });

  it('answers 413 SIZE_INVALID to a chunk over the cap and leaves the upload unchanged', async () => {
    const start = await invoke('POST', '/v2/team/app/blobs/uploads/');
    const location = String(start.headers['Location']);
    const first = Buffer.alloc(MiB, 1);
    await invoke(
      'PATCH',
      location,
      { 'content-type': 'application/octet-stream', 'content-length': String(first.length), 'content-range': `0-${MiB - 1}` },
      first,
    );
    // Just over the cap: the event still reaches the function, which must refuse it cleanly.
    const big = Buffer.alloc(MAX_LAMBDA_REQUEST_BYTES + 1024, 2);
    const range = `${MiB}-${MiB + big.length - 1}`;
    const res = await invoke(
      'PATCH',
      location,
      { 'content-type': 'application/octet-stream', 'content-length': String(big.length), 'content-range': range },
      big,
    );

    expect(res.status).toBe(413);
    expect(JSON.parse(res.bytes.toString())).toMatchObject({ errors: [{ code: 'SIZE_INVALID' }] });
    const status = await invoke('GET', location);
    expect([status.status, status.headers['Range']]).toEqual([204, `0-${MiB - 1}`]);
    const rest = Buffer.alloc(10, 3);
    const done = await invoke(
      'PUT',
      `${location}?digest=${sha256(Buffer.concat([first, rest]))}`,
      { 'content-type': 'application/octet-stream', 'content-length': '10', 'content-range': `${MiB}-${MiB + 9}` },
      rest,
    );
    expect(done.status).toBe(201);
  });

  it('redirects a blob GET to a presigned S3 URL that a plain GET downloads', async () => {
    const digest = sha256(layer);
    const res = await invoke('GET', `/v2/team/app/blobs/${digest}`);
    expect(res.status).toBe(307);
    const location = String(res.headers['Location']);
    expect(location.startsWith(s3.endpoint)).toBe(true);

    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(digest);
    const ranged = await fetch(location, { headers: { range: 'bytes=4096-4099' } });
    expect(Buffer.from(await ranged.arrayBuffer()).readUInt32BE(0)).toBe(4096);
  });

  it('pushes and pulls a manifest byte for byte', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configDigest = await pushChunked('team/app', config, MiB);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
      }),
    );
    const put = await invoke('PUT', '/v2/team/app/manifests/v1', { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, manifest);
    expect(put.status).toBe(201);

    const got = await invoke('GET', '/v2/team/app/manifests/v1', { accept: 'application/vnd.oci.image.manifest.v1+json' });
    expect(got.status).toBe(200);
    expect(got.bytes.equals(manifest)).toBe(true);
    expect(got.headers['Docker-Content-Digest']).toBe(sha256(manifest));
    const tags = await invoke('GET', '/v2/team/app/tags/list');
    expect(JSON.parse(tags.bytes.toString())).toEqual({ name: 'team/app', tags: ['v1'] });
  });

  it('challenges a request without a token', async () => {
    const event = httpApiEvent({ method: 'GET', target: '/v2/' });
    const result = await handler(event, lambdaContext());
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['WWW-Authenticate']).toMatch(/^Basic realm=/);
  });
});
