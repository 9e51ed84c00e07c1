import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Digest } from '@cargohold/oci';
import { DEFAULT_REGISTRY_SETTINGS, DEFAULT_REPOSITORY_SETTINGS, type RepositorySettings } from '@cargohold/storage-ports';
import { deletedEvent, stamped } from '@cargohold/storage-testing';
import { openSqliteMetadata, SCHEMA_VERSION } from './index';

/**
 * Upgrades of real files: each block builds a database exactly as an older build left it (its schema frozen
 * in fixtures/schema-v<n>.sql), with data, and opens it with this build.
 */
describe('SQLite metadata database upgrades', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-sqlite-'));
    file = join(dir, 'metadata.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('migration from schema version 1', () => {
    const repo = { registry: 'r', name: 'app' };
    const digest = `sha256:${'a'.repeat(64)}` as Digest;
    const layer = `sha256:${'b'.repeat(64)}` as Digest;
    const sessionId = '00000000-0000-4000-8000-000000000001';

    /** A database exactly as the v1 build left it (schema frozen in fixtures/schema-v1.sql), with data. */
    async function writeV1Database(): Promise<void> {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.exec(await readFile(join(__dirname, 'fixtures', 'schema-v1.sql'), 'utf8'));
      db.pragma('user_version = 1');
      const row = { registry: 'r', repository: 'app', digest, layer, id: sessionId };
      db.prepare('INSERT INTO repositories (registry, name, created_at) VALUES (@registry, @repository, 1000)').run(row);
      db.prepare(
        `INSERT INTO manifests (registry, repository, digest, media_type, size, artifact_type, subject, annotations, pushed_at, last_pulled_at)
         VALUES (@registry, @repository, @digest, 'application/vnd.oci.image.manifest.v1+json', 321, NULL, NULL, '{"a":"b"}', 2000, 3000)`,
      ).run(row);
      db.prepare('INSERT INTO manifest_blobs (registry, repository, manifest, position, digest) VALUES (@registry, @repository, @digest, 0, @layer)').run(row);
      db.prepare("INSERT INTO tags (registry, repository, tag, digest) VALUES (@registry, @repository, 'latest', @digest)").run(row);
      db.prepare('INSERT INTO blob_links (registry, repository, digest, size, linked_at) VALUES (@registry, @repository, @layer, 7, 1500)').run(row);
      db.prepare('INSERT INTO upload_sessions (id, registry, repository, started_at, updated_at) VALUES (@id, @registry, @repository, 4000, 5000)').run(row);
      db.close();
    }

    it('upgrades an existing v1 file in place, keeping every row and reading new fields as defaults', async () => {
      await writeV1Database();

      const metadata = openSqliteMetadata(file);

      expect(await metadata.repositories.get(repo)).toEqual({ ...repo, createdAt: new Date(1000), settings: DEFAULT_REPOSITORY_SETTINGS });
      const record = {
        digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 321,
        annotations: { a: 'b' },
        blobs: [layer],
        children: [],
        imageSizeBytes: 0,
        pushedAt: new Date(2000),
        lastPulledAt: new Date(3000),
      };
      expect(await metadata.manifests.get(repo, digest)).toEqual(record);
      expect(await metadata.manifests.list(repo, { limit: 10 })).toEqual([record]);
      expect(await metadata.manifests.resolveTag(repo, 'latest')).toBe(digest);
      expect(await metadata.links.stat(repo, layer)).toEqual({ found: true, size: 7 });
      expect(await metadata.sessions.get(sessionId)).toEqual({
        id: sessionId,
        repo,
        startedAt: new Date(4000),
        updatedAt: new Date(5000),
      });
      expect(await metadata.registries.get('r')).toEqual(DEFAULT_REGISTRY_SETTINGS);
      await metadata.close();
      const db = new Database(file);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      db.close();
    });

    it('takes writes to the new columns and table after the upgrade', async () => {
      await writeV1Database();
      const metadata = openSqliteMetadata(file);

      const updated = await metadata.repositories.update(repo, (settings) => ({ ...settings, scanOnPush: true }));
      await metadata.registries.update('r', (settings) => ({ ...settings, accountSettings: { BLOB_MOUNTING: 'ENABLED' } }));
      await metadata.manifests.recordPull(repo, digest, new Date(2500));
      await metadata.close();

      const reopened = openSqliteMetadata(file);
      expect(updated?.settings).toEqual({ ...DEFAULT_REPOSITORY_SETTINGS, scanOnPush: true });
      expect(await reopened.repositories.get(repo)).toEqual(updated);
      expect(await reopened.registries.get('r')).toEqual({ accountSettings: { BLOB_MOUNTING: 'ENABLED' } });
      expect((await reopened.manifests.get(repo, digest))?.lastPulledAt).toEqual(new Date(3000));
      await reopened.close();
    });

    it('reads a settings document that lacks fields as the defaults for those fields', async () => {
      const metadata = openSqliteMetadata(file);
      await metadata.repositories.create(repo, new Date(1000));
      await metadata.close();
      const db = new Database(file);
      db.prepare(`UPDATE repositories SET settings = '{"scanOnPush":true}'`).run();
      db.close();

      const reopened = openSqliteMetadata(file);
      expect((await reopened.repositories.get(repo))?.settings).toEqual({ ...DEFAULT_REPOSITORY_SETTINGS, scanOnPush: true });
      await reopened.close();
    });
  });

  describe('migration from schema version 2', () => {
    const repo = { registry: 'r', name: 'app' };
    const digest = `sha256:${'c'.repeat(64)}` as Digest;
    const settings: RepositorySettings = { ...DEFAULT_REPOSITORY_SETTINGS, scanOnPush: true, imageTagMutability: 'IMMUTABLE' };
    const registrySettings = { accountSettings: { BLOB_MOUNTING: 'ENABLED' } };

    /** A database exactly as the v2 build left it (schema frozen in fixtures/schema-v2.sql), with data. */
    async function writeV2Database(): Promise<void> {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.exec(await readFile(join(__dirname, 'fixtures', 'schema-v2.sql'), 'utf8'));
      db.pragma('user_version = 2');
      const row = { registry: 'r', repository: 'app', digest, settings: JSON.stringify(settings) };
      db.prepare('INSERT INTO repositories (registry, name, created_at, settings) VALUES (@registry, @repository, 1000, @settings)').run(row);
      db.prepare(
        `INSERT INTO manifests (registry, repository, digest, media_type, size, pushed_at, config_media_type, image_size_bytes)
         VALUES (@registry, @repository, @digest, 'application/vnd.oci.image.manifest.v1+json', 321, 2000, 'application/vnd.oci.image.config.v1+json', 4096)`,
      ).run(row);
      db.prepare("INSERT INTO tags (registry, repository, tag, digest) VALUES (@registry, @repository, 'latest', @digest)").run(row);
      db.prepare('INSERT INTO registries (registry, document) VALUES (@registry, @document)').run({
        registry: 'r',
        document: JSON.stringify(registrySettings),
      });
      db.close();
    }

    it('upgrades an existing v2 file in place, keeping every row, with an empty outbox', async () => {
      await writeV2Database();

      const metadata = openSqliteMetadata(file);

      expect(await metadata.repositories.get(repo)).toEqual({ ...repo, createdAt: new Date(1000), settings });
      expect(await metadata.manifests.get(repo, digest)).toEqual({
        digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 321,
        blobs: [],
        children: [],
        configMediaType: 'application/vnd.oci.image.config.v1+json',
        imageSizeBytes: 4096,
        pushedAt: new Date(2000),
      });
      expect(await metadata.manifests.resolveTag(repo, 'latest')).toBe(digest);
      expect(await metadata.registries.get('r')).toEqual(registrySettings);
      expect(await metadata.outbox.due(new Date(0), 10, 1000)).toEqual([]);
      expect(await metadata.outbox.deadLetters(10)).toEqual([]);
      await metadata.close();
      const db = new Database(file);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      db.close();
    });

    it('records events with mutations of pre-existing data after the upgrade, durably', async () => {
      await writeV2Database();
      const metadata = openSqliteMetadata(file);
      const untagged = deletedEvent(1, repo, digest, ['latest']);
      const deleted = deletedEvent(2, repo, digest);

      await metadata.manifests.deleteTag(repo, 'latest', [untagged]);
      await metadata.manifests.delete(repo, digest, [deleted]);
      await metadata.close();

      const reopened = openSqliteMetadata(file);
      const entries = await reopened.outbox.due(new Date(0), 10, 1000);
      expect(entries.map((entry) => entry.event)).toEqual([stamped(untagged, 1), stamped(deleted, 2)]);
      await reopened.close();
    });
  });

  describe('migration from schema version 3', () => {
    const repo = { registry: 'r', name: 'app' };
    const digest = `sha256:${'d'.repeat(64)}` as Digest;
    const pending = deletedEvent(1, repo, digest);

    /** A database exactly as the v3 build left it (schema frozen in fixtures/schema-v3.sql), with data. */
    async function writeV3Database(): Promise<void> {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.exec(await readFile(join(__dirname, 'fixtures', 'schema-v3.sql'), 'utf8'));
      db.pragma('user_version = 3');
      const row = { registry: 'r', repository: 'app', digest };
      db.prepare("INSERT INTO repositories (registry, name, created_at, settings) VALUES (@registry, @repository, 1000, '{}')").run(row);
      db.prepare(
        `INSERT INTO manifests (registry, repository, digest, media_type, size, pushed_at, config_media_type, image_size_bytes)
         VALUES (@registry, @repository, @digest, 'application/vnd.oci.image.manifest.v1+json', 321, 2000, NULL, 4096)`,
      ).run(row);
      db.prepare('INSERT INTO event_versions (registry, repository, version) VALUES (@registry, @repository, 1)').run(row);
      db.prepare(
        `INSERT INTO outbox (registry, repository, version, event, attempts, last_error, available_at)
         VALUES (@registry, @repository, 1, @event, 0, NULL, 0)`,
      ).run({ ...row, event: JSON.stringify(stamped(pending, 1)) });
      db.close();
    }

    it('upgrades an existing v3 file in place, keeping every row, with no scans and no vulnerabilities', async () => {
      await writeV3Database();

      const metadata = openSqliteMetadata(file);

      expect(await metadata.repositories.get(repo)).toEqual({ ...repo, createdAt: new Date(1000), settings: DEFAULT_REPOSITORY_SETTINGS });
      expect((await metadata.manifests.get(repo, digest))?.imageSizeBytes).toBe(4096);
      expect((await metadata.outbox.due(new Date(0), 10, 1000)).map((entry) => entry.event)).toEqual([stamped(pending, 1)]);
      expect(await metadata.scans.get(repo, digest)).toBeUndefined();
      expect(await metadata.vulnerabilities.candidates('npm', 'lodash')).toEqual([]);
      expect(await metadata.vulnerabilities.updatedAt()).toBeUndefined();
      await metadata.close();
      const db = new Database(file);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      db.close();
    });

    it('keeps scans and vulnerabilities written after the upgrade across a reopen', async () => {
      await writeV3Database();
      const metadata = openSqliteMetadata(file);
      const record = { id: 'GHSA-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'lodash' } }] };

      expect(await metadata.scans.start(repo, digest, new Date(5000), new Date(5000))).toBe(true);
      await metadata.vulnerabilities.upsert(
        [{ id: record.id, modified: record.modified, packages: [{ ecosystem: 'npm', name: 'lodash' }], record }],
        new Date(6000),
      );
      await metadata.close();

      const reopened = openSqliteMetadata(file);
      const started = { status: 'IN_PROGRESS', startedAt: new Date(5000), findings: [], severityCounts: {} };
      expect(await reopened.scans.get(repo, digest)).toEqual(started);
      expect(await reopened.vulnerabilities.candidates('npm', 'lodash')).toEqual([record]);
      expect(await reopened.vulnerabilities.updatedAt()).toEqual(new Date(6000));
      await reopened.close();
    });
  });
});
