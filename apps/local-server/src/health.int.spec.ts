import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import pino from 'pino';
import { startServer, type RunningServer } from './server';

/** The probes load balancers and Kubernetes use: no credentials, JSON, and /readyz follows the storage. */
jest.setTimeout(120_000);

const saved = { ...process.env };
const servers: RunningServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const server of servers) await server.close(1000);
  process.env = saved;
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function probe(server: RunningServer, path: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json(), cache: response.headers.get('cache-control') };
}

async function start(options: Partial<Parameters<typeof startServer>[0]> = {}): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cargohold-health-'));
  dirs.push(dataDir);
  const server = await startServer({ port: 0, dataDir, logger: pino({ level: 'silent' }), ...options });
  servers.push(server);
  return server;
}

describe('/healthz and /readyz', () => {
  it('answer without credentials on the embedded server', async () => {
    const server = await start();
    expect(await probe(server, '/healthz')).toEqual({ status: 200, body: { status: 'ok' }, cache: 'no-store' });
    expect(await probe(server, '/readyz')).toEqual({ status: 200, body: { status: 'ok', checks: { metadata: 'ok', blobs: 'ok' } }, cache: 'no-store' });
  });

  it('on S3 + DynamoDB, /readyz names the dependency that stopped answering while /healthz stays up', async () => {
    let s3: S3rverHandle | undefined = await startS3rver('health-blobs');
    let dynamo: DynamoDbLocal | undefined = await startDynamoDbLocal();
    try {
      const table = await dynamo.freshTable();
      Object.assign(process.env, { ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }), S3_FORCE_PATH_STYLE: 'true' });
      delete process.env['AWS_PROFILE'];
      const server = await start({ backend: 'aws', bucket: s3.bucket, table });
      expect((await probe(server, '/readyz')).body).toEqual({ status: 'ok', checks: { metadata: 'ok', blobs: 'ok' } });

      await s3.stop();
      s3 = undefined;
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the reuse window of the last answer
      expect(await probe(server, '/readyz')).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { metadata: 'ok', blobs: 'unreachable' } } });
      expect((await probe(server, '/healthz')).status).toBe(200);

      await dynamo.stop();
      dynamo = undefined;
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await probe(server, '/readyz')).body).toEqual({ status: 'unavailable', checks: { metadata: 'unreachable', blobs: 'unreachable' } });
    } finally {
      await s3?.stop();
      await dynamo?.stop();
    }
  });
});
