// Lifecycle sweep: the core's LifecycleSweeper (bundled on the fly, workspace sources included) expiring N
// untagged images of one repository through the same core delete as BatchDeleteImage, on both metadata
// backends: SQLite (the embedded store, a file under tmp) and DynamoDB Local (the AWS store's emulator).
// The repository is seeded straight into the metadata store (records without blobs need no closure), so
// only the sweep is timed: listing, evaluation, the per-image "still as selected" check and each delete.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmulators } from './emulators.mjs';
import { bundleAndImport } from './bundle.mjs';

const REGISTRY = '000000000000:us-east-1';
const KEEP = 100;
const POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: KEEP }, action: { type: 'expire' } }],
});

async function sweeperLib() {
  return bundleAndImport(
    'lifecycle-sweep',
    {
      exports: [
        "export { createRegistry } from '@cargohold/registry-core';",
        "export { openSqliteMetadata } from '@cargohold/storage-sqlite';",
        "export { createDynamoMetadata } from '@cargohold/storage-dynamodb';",
        "export { createMemoryStorage } from '@cargohold/storage-memory';",
      ],
    },
    { external: ['better-sqlite3', '@aws-sdk/*', '@smithy/*', 'pino'], requireShim: true },
  );
}

const digestOf = (i) => `sha256:${createHash('sha256').update(`bench image ${i}`).digest('hex')}`;

/** Seeds `total` untagged images, oldest first, `parallel` puts at a time; then times one sweep. */
async function sweepOver(lib, metadata, total, parallel, log, label) {
  const blobs = lib.createMemoryStorage();
  const registry = lib.createRegistry({ storage: { ...blobs, ...metadata, close: async () => undefined } });
  const repo = { registry: REGISTRY, name: 'bench/sweep' };
  await metadata.repositories.create(repo, new Date());
  const start = Date.now() - total * 1000;
  let next = 0;
  const seeded = Date.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < total; i = next++) {
        const record = {
          digest: digestOf(i),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          size: 500,
          blobs: [],
          children: [],
          imageSizeBytes: 0,
          pushedAt: new Date(start + i * 1000),
        };
        await metadata.manifests.put(repo, record, [], []);
      }
    }),
  );
  log(`  ${label}: seeded ${total} images in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  await registry.lifecycle.put(repo, POLICY);
  const began = performance.now();
  const report = await registry.lifecycleSweeper.sweep(repo);
  const sweepMs = performance.now() - began;
  const left = (await metadata.manifests.list(repo, { limit: KEEP + 10 })).length;
  if (report.expired.length !== total - KEEP || left !== KEEP) throw new Error(`${label}: expired ${report.expired.length}, ${left} left`);
  log(`  ${label}: swept ${report.expired.length} in ${(sweepMs / 1000).toFixed(1)} s`);
  return { deleted: report.expired.length, sweepMs };
}

/** Sweep time for `deletions` expiries on SQLite and on DynamoDB Local. */
export async function lifecycleSweep({ deletions }, tmp, log) {
  const lib = await sweeperLib();
  const total = deletions + KEEP;
  const dir = await mkdtemp(join(tmp, 'sweep-sqlite-'));
  const sqlite = lib.openSqliteMetadata(join(dir, 'metadata.db'));
  let sqliteRun;
  try {
    sqliteRun = await sweepOver(lib, sqlite, total, 1, log, 'sqlite');
  } finally {
    await sqlite.close();
  }
  const emulators = await startEmulators(tmp);
  let dynamoRun;
  try {
    const client = new DynamoDBClient({
      endpoint: emulators.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    dynamoRun = await sweepOver(lib, lib.createDynamoMetadata({ client, table: emulators.table }), total, 16, log, 'dynamodb-local');
    client.destroy();
  } finally {
    await emulators.stop();
  }
  return { deletions, sqliteMs: sqliteRun.sweepMs, dynamoMs: dynamoRun.sweepMs };
}
