import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { runGarbageCollection, type GarbageCollectorPorts } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import pino from 'pino';
import { startServer, type RunningServer } from './server';
import { raceGarbageCollection } from './testing/gc-race';
import { OCI_MANIFEST, RegistryClient } from './testing/registry-client';

/**
 * Online GC on the AWS backend: `cargohold serve --backend aws` takes the pushes over s3rver and DynamoDB
 * Local, and the collector runs as the scheduled job would, through runGarbageCollection over the S3 +
 * DynamoDB adapters (marking from the table, candidates from a ListObjectsV2 of blobs/).
 */
jest.setTimeout(180_000);

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let server: RunningServer;
let client: RegistryClient;
let ports: GarbageCollectorPorts;
let dataDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('gc-blobs');
  dynamo = await startDynamoDbLocal();
  const table = await dynamo.freshTable();
  Object.assign(process.env, { ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }), S3_FORCE_PATH_STYLE: 'true' });
  delete process.env['AWS_PROFILE'];
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-gc-aws-'));
  // Unexpected errors go to stderr: the race once saw a 500 on a manifest push under CI's load, and only
  // the server's log says what it was.
  server = await startServer({
    port: 0,
    dataDir,
    backend: 'aws',
    bucket: s3.bucket,
    table,
    logger: pino({ level: 'error' }, pino.destination(2)),
    allowAnonymous: true,
  });
  client = new RegistryClient(server.url);
  const storage = createS3BlobStorage({ client: s3.client(), bucket: s3.bucket });
  const metadata = createDynamoMetadata({ client: dynamo.client, table });
  ports = { blobs: storage.blobs, inventory: storage.blobs, reclaim: metadata.reclaim, links: metadata.links, multipart: storage.multipart };
});

afterAll(async () => {
  await server?.close(1000);
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('garbage collection on S3 + DynamoDB', () => {
  it('collects a deleted image past grace, keeps the tagged one, and refuses a manifest naming a collected layer', async () => {
    const kept = await client.pushImage('gc-aws/one', 'kept');
    const gone = await client.pushImage('gc-aws/one', 'gone');
    expect((await client.send('DELETE', `/v2/gc-aws/one/manifests/${gone.digest}`)).status).toBe(202);

    const young = await runGarbageCollection({ ports }, { graceMs: 60_000 });
    expect(young).toMatchObject({ blobsDeleted: 0, linksRemoved: 0 });
    const dry = await runGarbageCollection({ ports }, { graceMs: 0, dryRun: true });
    const report = await runGarbageCollection({ ports }, { graceMs: 0 });

    expect(report).toMatchObject({ blobsDeleted: 3, linksRemoved: 2, bytesReclaimed: dry.bytesReclaimed, multipartAborted: 0 });
    expect(dry).toMatchObject({ blobsDeleted: 3, linksRemoved: 2 });
    for (const digest of [gone.digest, gone.configDigest, gone.layerDigest]) expect(await ports.blobs.stat(digest as never)).toEqual({ found: false });
    expect((await client.send('GET', '/v2/gc-aws/one/manifests/kept', { headers: { Accept: OCI_MANIFEST } })).status).toBe(200);
    expect((await client.send('GET', `/v2/gc-aws/one/blobs/${kept.layerDigest}`)).status).toBeLessThan(400);

    const again = await client.send('PUT', '/v2/gc-aws/one/manifests/gone', { headers: { 'Content-Type': OCI_MANIFEST }, body: gone.body });
    expect(again.status).toBe(400);
    expect(again.json<{ errors: { code: string }[] }>().errors[0]?.code).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it('leaves every push that got a 201 fully pullable while the collector runs with grace 0', async () => {
    const race = await raceGarbageCollection({
      client,
      repos: ['gc-aws/app', 'gc-aws/web'],
      clients: 3,
      durationMs: Number(process.env['GC_RACE_MS'] ?? 10_000),
      collect: () => runGarbageCollection({ ports }, { graceMs: 0 }),
      pauseMs: 1_500,
    });
    expect(race.problems).toEqual([]);
    expect(race.kept.length).toBeGreaterThanOrEqual(3);
    expect(race.blobsDeleted).toBeGreaterThanOrEqual(3);
    expect(race.attempts).toBeGreaterThan(race.kept.length);
  });
});
