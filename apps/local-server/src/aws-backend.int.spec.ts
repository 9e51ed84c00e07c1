import { randomBytes } from 'node:crypto';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite, type Dynalite } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { raw, sha256 } from './testing/registry-client';
import { skopeo, skopeoAvailable, writeOciLayout } from './testing/skopeo';

/**
 * `cargohold serve --backend aws`: the long-lived server over the S3 + DynamoDB adapters, endpoints from
 * the SDK's standard variables, against s3rver and dynalite. It takes single-request pushes of any size.
 */
jest.setTimeout(120_000);

let s3: S3rverHandle;
let dynamo: Dynalite;
let server: RunningServer;
let dataDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('serve-blobs');
  dynamo = await startDynalite();
  const table = await dynamo.freshTable();
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
});

afterAll(async () => {
  await server?.close(1000);
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
