import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { bundleCli } from './testing/child-server';
import { raw, sha256 } from './testing/registry-client';

/**
 * The `cargohold serve --backend aws` process as a user starts it after the README's quick start: the
 * region only in AWS_DEFAULT_REGION (which the SDK itself ignores), endpoints pointing at s3rver and
 * DynamoDB Local, no shared AWS config. It serves; given a bucket or table that is not there, it exits 1 and
 * says which one, why, and what to do.
 */
jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../../..');

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let table: string;
let work: string;
let cli: string;

beforeAll(async () => {
  [s3, dynamo, work] = await Promise.all([startS3rver('startup-blobs'), startDynamoDbLocal(), mkdtemp(join(tmpdir(), 'cargohold-aws-start-'))]);
  table = await dynamo.freshTable();
  cli = bundleCli(work);
});

afterAll(async () => {
  await dynamo?.stop();
  await s3?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The quick start's environment: AWS_DEFAULT_REGION, not AWS_REGION; no profile or shared config to fall back on. */
function quickStartEnv(): NodeJS.ProcessEnv {
  const { AWS_REGION: _region, ...emulators } = emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...inherited,
    ...emulators,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(work, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
    S3_FORCE_PATH_STYLE: 'true',
    NODE_PATH: join(ROOT, 'node_modules'),
  };
}

interface Outcome {
  readonly url?: string;
  readonly code?: number | null;
  readonly output: string;
  stop(): Promise<number | null>;
}

/** Runs `cargohold serve --backend aws …` until it logs its URL or exits. */
function serve(bucket: string, tableName: string): Promise<Outcome> {
  const dataDir = join(work, `data-${bucket}-${tableName}`);
  const args = ['serve', '--backend', 'aws', '--bucket', bucket, '--table', tableName, '--port', '0', '--data-dir', dataDir, '--allow-anonymous'];
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: quickStartEnv() });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  let output = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`cargohold neither served nor exited: ${output}`));
    }, 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        done({ url: match[1] as string, output, stop });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // `exited` only ever resolves; whichever of serving and exiting comes first settles the outcome.
    void exited.then((code) => {
      clearTimeout(timer);
      done({ code, output, stop });
    });
  });
}

describe('cargohold serve --backend aws, started as the quick start leaves the shell', () => {
  it('takes the region from AWS_DEFAULT_REGION and serves pushes and pulls', async () => {
    const server = await serve(s3.bucket, table);
    try {
      expect(server.output).not.toMatch(/failed|cannot reach/);
      expect(server.url).toBeDefined();
      const blob = Buffer.from('pushed with only AWS_DEFAULT_REGION set');
      const push = await raw(server.url as string, 'POST', `/v2/quick/start/blobs/uploads/?digest=${sha256(blob)}`, {
        headers: { 'Content-Length': blob.length, 'Content-Type': 'application/octet-stream' },
        body: blob,
      });
      expect(push.status).toBe(201);
      const pulled = await raw(server.url as string, 'GET', `/v2/quick/start/blobs/${sha256(blob)}`);
      expect(pulled.body.equals(blob)).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('starts again over a bucket that already holds objects (a restart, not a first start)', async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    for (const key of ['restart/one', 'restart/two', 'restart/three']) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: key }));
    }
    client.destroy();

    const server = await serve(s3.bucket, table);
    try {
      expect(server.output).not.toMatch(/cannot reach/);
      expect(server.url).toBeDefined();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('exits 1 on a missing bucket, naming the bucket, the cause and the fix', async () => {
    const outcome = await serve('no-such-bucket', table);
    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('cargohold: cannot reach bucket "no-such-bucket" (NoSuchBucket): create it, or pass --bucket\n');
  });

  it('exits 1 on a missing table, naming the table, the cause and the fix', async () => {
    const outcome = await serve(s3.bucket, 'no-such-table');
    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain('cargohold: cannot reach table "no-such-table" (ResourceNotFoundException): create it, or pass --table\n');
  });

  it('serves pushes over a bucket and a table made by `cargohold aws bootstrap`, which a second run leaves alone', async () => {
    // Asynchronously: s3rver runs in this process, so a synchronous child would wait on it forever.
    const bootstrap = async () =>
      (
        await promisify(execFile)(
          process.execPath,
          [cli, 'aws', 'bootstrap', '--bucket', 'bootstrapped', '--table', 'bootstrapped-metadata', '--region', 'us-east-1'],
          {
            env: quickStartEnv(),
            encoding: 'utf8',
          },
        )
      ).stdout;
    const first = await bootstrap();
    expect(first).toContain('bucket bootstrapped: created\n');
    expect(first).toContain('table bootstrapped-metadata: created\n');
    expect(first).toContain('ready: cargohold serve --backend aws --bucket bootstrapped --table bootstrapped-metadata\n');
    const second = await bootstrap();
    expect(second).toContain('bucket bootstrapped: exists\n');
    expect(second).toContain('table bootstrapped-metadata: exists\n');

    const server = await serve('bootstrapped', 'bootstrapped-metadata');
    try {
      expect(server.url).toBeDefined();
      const blob = Buffer.from('pushed into a bootstrapped bucket');
      const push = await raw(server.url as string, 'POST', `/v2/boot/strap/blobs/uploads/?digest=${sha256(blob)}`, {
        headers: { 'Content-Length': blob.length, 'Content-Type': 'application/octet-stream' },
        body: blob,
      });
      expect(push.status).toBe(201);
      expect((await raw(server.url as string, 'GET', `/v2/boot/strap/blobs/${sha256(blob)}`)).body.equals(blob)).toBe(true);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
