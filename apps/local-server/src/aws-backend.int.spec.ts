import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { getBody } from './testing/corruption';
import { raw, sha256 } from './testing/registry-client';
import { skopeo, skopeoAvailable, writeOciLayout } from './testing/skopeo';

/**
 * `cargohold serve --backend aws`: the long-lived server over the S3 + DynamoDB adapters, endpoints from
 * the SDK's standard variables, against s3rver and DynamoDB Local. It takes single-request pushes of any size.
 */
jest.setTimeout(120_000);

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let server: RunningServer;
/** Another instance over the same bucket and table, started while the bucket is still empty. */
let second: RunningServer;
const secondLog: string[] = [];
let dataDir: string;
let table: string;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('serve-blobs');
  dynamo = await startDynamoDbLocal();
  table = await dynamo.freshTable();
  Object.assign(process.env, {
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
    S3_FORCE_PATH_STYLE: 'true',
  });
  delete process.env['AWS_PROFILE'];
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-aws-'));
  server = await startServer({
    port: 0,
    dataDir,
    backend: 'aws',
    bucket: s3.bucket,
    table,
    logger: pino({ level: 'silent' }),
    allowAnonymous: true,
  });
  // Started now: s3rver cannot answer the start-up probe (ListObjectsV2, MaxKeys 1) once the bucket
  // holds two keys or more (InternalError), which AWS answers fine.
  const logger = pino({ level: 'info' }, { write: (line: string) => secondLog.push(line) });
  second = await startServer({ port: 0, dataDir, backend: 'aws', bucket: s3.bucket, table, logger, allowAnonymous: true });
});

afterAll(async () => {
  await server?.close(1000);
  await second?.close(1000);
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('cargohold serve --backend aws', () => {
  it('needs a bucket and a table', async () => {
    await expect(startServer({ port: 0, dataDir, backend: 'aws', logger: pino({ level: 'silent' }) })).rejects.toThrow(/bucket and a table/);
  });

  it('accepts a large monolithic push in one request and serves it back', async () => {
    const blob = randomBytes(12 * 1024 * 1024);
    const push = await raw(server.url, 'POST', `/v2/aws/big/blobs/uploads/?digest=${sha256(blob)}`, {
      headers: { 'Content-Length': blob.length, 'Content-Type': 'application/octet-stream' },
      body: blob,
    });
    expect(push.status).toBe(201);
    const pulled = await raw(server.url, 'GET', `/v2/aws/big/blobs/${sha256(blob)}`);
    expect(pulled.status).toBe(200);
    expect(pulled.body.equals(blob)).toBe(true);
  });

  it('resumes a chunked upload in a second server over the same bucket, hashing only the new chunk', async () => {
    const blob = randomBytes(9 * 1024 * 1024);
    const first = 6 * 1024 * 1024;
    const location = (await raw(server.url, 'POST', '/v2/aws/resumed/blobs/uploads/')).headers['location'] as string;
    const patched = await raw(server.url, 'PATCH', location, {
      headers: { 'Content-Range': `0-${first - 1}`, 'Content-Length': first, 'Content-Type': 'application/octet-stream' },
      body: blob.subarray(0, first),
    });
    expect(patched.status).toBe(202);

    try {
      const rest = await raw(second.url, 'PUT', `${location}?digest=${sha256(blob)}`, {
        headers: { 'Content-Range': `${first}-${blob.length - 1}`, 'Content-Length': blob.length - first, 'Content-Type': 'application/octet-stream' },
        body: blob.subarray(first),
      });
      expect(rest.status).toBe(201);
    } finally {
      await second.close(1000);
    }
    const stopped = secondLog.map((line) => JSON.parse(line) as { msg: string; hashedUploadBytes?: number }).filter((line) => line.msg === 'cargohold stopped');
    expect(stopped).toEqual([expect.objectContaining({ hashedUploadBytes: blob.length - first })]);
    expect((await raw(server.url, 'GET', `/v2/aws/resumed/blobs/${sha256(blob)}`)).body.equals(blob)).toBe(true);
  });

  it('aborts the GET of a blob whose S3 object went bad, quarantines it, and a re-push heals it', async () => {
    const blob = randomBytes(6 * 1024 * 1024 + 7);
    const digest = sha256(blob);
    const push = await raw(server.url, 'POST', `/v2/aws/corrupt/blobs/uploads/?digest=${digest}`, { headers: { 'Content-Length': blob.length }, body: blob });
    expect(push.status).toBe(201);
    const key = `blobs/sha256/${digest.slice(7)}`;
    const flipped = Buffer.from(blob);
    flipped[3_000_000] = (flipped[3_000_000] as number) ^ 0x40;
    await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: flipped }));

    const first = await getBody(server.url, `/v2/aws/corrupt/blobs/${digest}`);
    expect(first.complete).toBe(false);
    expect(first.body.length).toBeLessThan(blob.length);
    const second = await raw(server.url, 'GET', `/v2/aws/corrupt/blobs/${digest}`);
    expect(second.status).toBe(404);
    expect(second.json()).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN' }] });
    const kept = await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: `corrupt/sha256/${digest.slice(7)}` }));
    expect(Buffer.from(await (kept.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(flipped)).toBe(true);

    const again = await raw(server.url, 'POST', `/v2/aws/corrupt/blobs/uploads/?digest=${digest}`, { headers: { 'Content-Length': blob.length }, body: blob });
    expect(again.status).toBe(201);
    expect((await raw(server.url, 'GET', `/v2/aws/corrupt/blobs/${digest}`)).body.equals(blob)).toBe(true);
  });

  const withSkopeo = skopeoAvailable() ? describe : describe.skip;
  withSkopeo('skopeo', () => {
    it('round-trips an image byte for byte', async () => {
      const work = await mkdtemp(join(tmpdir(), 'cargohold-aws-skopeo-'));
      try {
        const layers = [randomBytes(7 * 1024 * 1024), Buffer.from('a small layer')];
        const image = await writeOciLayout(join(work, 'src'), 'v1', layers);
        const host = new URL(server.url).host;
        await skopeo(['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${join(work, 'src')}:v1`, `docker://${host}/aws/skopeo:v1`]);
        await skopeo(['copy', '--src-tls-verify=false', `docker://${host}/aws/skopeo:v1`, `dir:${join(work, 'out')}`]);

        expect((await readFile(join(work, 'out', 'manifest.json'))).equals(image.manifest)).toBe(true);
        for (const [i, digest] of image.layers.entries()) {
          expect((await readFile(join(work, 'out', digest.slice(7)))).equals(layers[i] as Buffer)).toBe(true);
        }
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  });
});
