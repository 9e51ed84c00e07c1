import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Digest } from '@cargohold/oci';
import { DEFAULT_REPOSITORY_SETTINGS } from '@cargohold/storage-ports';
import { openSqliteMetadata, SCHEMA_VERSION } from './index';
import { openDatabase } from './schema';

describe('SQLite metadata database', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-sqlite-'));
    file = join(dir, 'metadata.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens in WAL mode with synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps acknowledged writes across a close and reopen, without re-running migrations', async () => {
    const first = openSqliteMetadata(file);
    const repo = { registry: 'r', name: 'app' };
    await first.repositories.create(repo, new Date(1000));
    await first.manifests.put(
      repo,
      { digest: 'sha256:aa' as Digest, mediaType: 'm', size: 1, blobs: [], children: [], imageSizeBytes: 1, pushedAt: new Date(2000) },
      ['latest'],
    );
    await first.close();
    await first.close();

    const second = openSqliteMetadata(file);
    expect(await second.repositories.get(repo)).toEqual({ ...repo, createdAt: new Date(1000), settings: DEFAULT_REPOSITORY_SETTINGS });
    expect(await second.manifests.resolveTag(repo, 'latest')).toBe('sha256:aa');
    await second.close();
  });

  it('refuses a database written by a newer schema', () => {
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteMetadata(file)).toThrow(/schema version/);
  });

  it('never leaves a tag pointing at a missing manifest (foreign key)', () => {
    const db = openDatabase(file);
    expect(() => db.prepare("INSERT INTO tags (registry, repository, tag, digest) VALUES ('r', 'app', 't', 'sha256:x')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
