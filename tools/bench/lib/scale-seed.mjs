// The scale generator: a registry of one repository with N tags plus M more repositories, written
// through the metadata ports (RepositoryStore, BlobLinkStore, ManifestStore.put with its closure check),
// never by pushing. Every image is a real OCI manifest (its digest is the sha256 of its bytes) of a
// config, the one shared base layer and a layer of its own, so the base layer is referenced by every
// manifest of the registry. Only the manifests the bench reads (`sampleTags`) get their bytes stored in
// the BlobStore: the others exist as metadata, which is all the listings read.
//
// SQLite (`seedSqlite`): the ports' own prepared statements inside one outer transaction per batch
// (better-sqlite3 turns each port transaction into a savepoint of it) and synchronous=OFF while seeding,
// so a million puts take minutes, not a million fsyncs. DynamoDB (`seedPorts`): the same calls, several
// in flight.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleAndImport } from './bundle.mjs';

export const REGISTRY = '000000000000:us-east-1';
export const BIG_REPO = 'scale/big';
const BATCH = 20_000;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const BASE_SIZE = 29_000_000;

const sha = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
export const BASE_LAYER = sha('scale base layer');
/** Tag i of the big repository: zero-padded, so byte order is index order and `last=` can point anywhere. */
export const tagName = (i) => `v${String(i).padStart(7, '0')}`;
/** The other repositories: `scale/r000000` … in byte order. */
export const repoName = (i) => `scale/r${String(i).padStart(6, '0')}`;

/** The workspace sources the generator and the in-process measurements use, bundled once into .cache/. */
export async function scaleLib() {
  return bundleAndImport(
    'scale',
    {
      exports: [
        "export { openDatabase } from './libs/storage/sqlite/src/schema';",
        "export { SqliteRepositoryStore, SqliteManifestStore, SqliteBlobLinkStore, SqliteBlobReclaimStore } from '@cargohold/storage-sqlite';",
        "export { createFsBlobStorage } from '@cargohold/storage-fs';",
        "export { createDynamoMetadata } from '@cargohold/storage-dynamodb';",
        "export { createMemoryStorage } from '@cargohold/storage-memory';",
        "export { createRegistry } from '@cargohold/registry-core';",
        "export { pageTokens } from './libs/http/ecr/src/page-token';",
      ],
    },
    { external: ['better-sqlite3', '@aws-sdk/*', '@smithy/*', 'pino'], requireShim: true },
  );
}

/** Image `i` of repository `repo`: its manifest bytes and the record ManifestStore.put takes. */
export function image(repo, i, pushedAt) {
  const config = sha(`${repo} config ${i}`);
  const layer = sha(`${repo} layer ${i}`);
  const layerSize = 1_000_000 + (i % 997) * 1000;
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: CONFIG, digest: config, size: 1469 },
      layers: [
        { mediaType: LAYER, digest: BASE_LAYER, size: BASE_SIZE },
        { mediaType: LAYER, digest: layer, size: layerSize },
      ],
      annotations: { 'org.opencontainers.image.version': String(i) },
    }),
  );
  const record = {
    digest: sha(bytes),
    mediaType: MANIFEST,
    size: bytes.length,
    blobs: [config, BASE_LAYER, layer],
    children: [],
    configMediaType: CONFIG,
    imageSizeBytes: BASE_SIZE + layerSize,
    pushedAt,
  };
  return {
    bytes,
    record,
    links: [
      [config, 1469],
      [BASE_LAYER, BASE_SIZE],
      [layer, layerSize],
    ],
  };
}

/**
 * Writes the registry through `ports` ({ repositories, links, manifests }); `blobs` (a BlobStore) gets the
 * bytes of the sampled manifests. `batch(count, fn)` lets an adapter group writes (SQLite transactions);
 * `parallel` puts run at once. Returns the digests of the sampled tags.
 */
export async function seedPorts(ports, blobs, { tags, repositories, sampleTags, parallel = 1, batch = (fn) => fn(), log }) {
  const t0 = Date.now() - (tags + repositories) * 1000;
  const sampled = new Map();
  const big = { registry: REGISTRY, name: BIG_REPO };
  const putImage = async (repo, i, tag, at) => {
    const { bytes, record, links } = image(repo.name, i, new Date(at));
    for (const [digest, size] of links) await ports.links.link(repo, digest, size, new Date(at));
    await ports.manifests.put(repo, record, [tag]);
    if (repo === big && sampleTags.has(i)) {
      sampled.set(i, record.digest);
      await blobs.put(record.digest, [bytes], () => undefined);
    }
  };
  const each = async (count, fn) => {
    const started = Date.now();
    for (let from = 0; from < count; from += BATCH) {
      const to = Math.min(count, from + BATCH);
      let next = from;
      await batch(() =>
        Promise.all(
          Array.from({ length: parallel }, async () => {
            for (let i = next++; i < to; i = next++) await fn(i);
          }),
        ),
      );
      // Port calls on SQLite never leave the microtask queue: yield, so Ctrl-C / SIGTERM get handled.
      await new Promise((resolve) => setImmediate(resolve));
      if (to % (BATCH * 5) === 0 || to === count)
        log?.(`    ${to.toLocaleString('en')} / ${count.toLocaleString('en')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  };
  await ports.repositories.create(big, new Date(t0));
  log?.(`  seeding ${tags.toLocaleString('en')} tags of ${BIG_REPO}`);
  await each(tags, (i) => putImage(big, i, tagName(i), t0 + i * 1000));
  log?.(`  seeding ${repositories.toLocaleString('en')} more repositories, one image each`);
  await each(repositories, async (i) => {
    const repo = { registry: REGISTRY, name: repoName(i) };
    const at = t0 + (tags + i) * 1000;
    await ports.repositories.create(repo, new Date(at));
    await putImage(repo, i, 'latest', at);
  });
  return sampled;
}

/**
 * Seeds `<dataDir>/metadata.db` and `<dataDir>/blobs/` in the layout `cargohold serve --data-dir` opens.
 * Returns the sampled digests and the database's size in bytes.
 */
export async function seedSqlite(lib, dataDir, options) {
  await mkdir(dataDir, { recursive: true });
  const db = lib.openDatabase(join(dataDir, 'metadata.db'));
  try {
    // Seeding only: a crash loses a half-written bench registry, nothing else. The server reopens with FULL.
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const ports = { repositories: new lib.SqliteRepositoryStore(db), links: new lib.SqliteBlobLinkStore(db), manifests: new lib.SqliteManifestStore(db) };
    const { blobs } = lib.createFsBlobStorage(dataDir);
    const batch = async (fn) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        await fn();
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    };
    const sampled = await seedPorts(ports, blobs, { ...options, batch });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const { bytes } = db.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get();
    return { sampled, dbBytes: bytes };
  } finally {
    db.close();
  }
}
