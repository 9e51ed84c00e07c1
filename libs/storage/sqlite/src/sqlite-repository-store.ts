import type Database from 'better-sqlite3';
import { DEFAULT_REPOSITORY_SETTINGS } from '@cargohold/storage-ports';
import type { Page, RepoRef, Repository, RepositorySettings, RepositoryStore } from '@cargohold/storage-ports';
import { SqliteReadCache } from './sqlite-read-cache';

interface RepositoryRow {
  registry: string;
  name: string;
  created_at: number;
  settings: string;
}
type Key = { registry: string; name: string };
type Mutate = (current: RepositorySettings) => RepositorySettings;

/**
 * '{}' (every row migrated from v1) and any field a document lacks read as the default. The defaults are
 * cloned: mutate may edit its argument, and must never reach the shared constant.
 */
const DEFAULTS_TEXT = JSON.stringify(DEFAULT_REPOSITORY_SETTINGS);
const parseSettings = (document: string): RepositorySettings => ({
  // A fresh deep copy by parsing: a few times cheaper than structuredClone, which a page of 100 felt.
  ...(JSON.parse(DEFAULTS_TEXT) as RepositorySettings),
  ...(JSON.parse(document) as Partial<RepositorySettings>),
});

const toRepository = (row: RepositoryRow): Repository => ({
  registry: row.registry,
  name: row.name,
  createdAt: new Date(row.created_at),
  settings: parseSettings(row.settings),
});

export class SqliteRepositoryStore implements RepositoryStore {
  private readonly insert: Database.Statement<[Key & { createdAt: number; settings: string }]>;
  private readonly select: Database.Statement<[Key], RepositoryRow>;
  private readonly page: Database.Statement<[{ registry: string; last: string; limit: number }], { name: string }>;
  private readonly recordPage: Database.Statement<[{ registry: string; last: string; limit: number }], [string, string, number, string]>;
  private readonly remove: Database.Transaction<(key: Key) => boolean>;
  private readonly updateTx: Database.Transaction<(key: Key, mutate: Mutate) => Repository | undefined>;
  /** Every `/v2/` read resolves its repository first. */
  private readonly cache: SqliteReadCache<Repository | undefined>;

  constructor(db: Database.Database) {
    this.cache = new SqliteReadCache(db, 1024);
    this.insert = db.prepare(
      `INSERT INTO repositories (registry, name, created_at, settings) VALUES (@registry, @name, @createdAt, @settings)
       ON CONFLICT DO NOTHING`,
    );
    this.select = db.prepare('SELECT registry, name, created_at, settings FROM repositories WHERE registry = @registry AND name = @name');
    this.page = db.prepare('SELECT name FROM repositories WHERE registry = @registry AND name > @last ORDER BY name LIMIT @limit');
    // Arrays (raw mode), not an object per row: cheaper for a page.
    this.recordPage = db
      .prepare<[{ registry: string; last: string; limit: number }], [string, string, number, string]>(
        'SELECT registry, name, created_at, settings FROM repositories WHERE registry = @registry AND name > @last ORDER BY name LIMIT @limit',
      )
      .raw(true);

    const where = 'WHERE registry = @registry AND repository = @name';
    const cascade = [
      db.prepare<[Key]>(`DELETE FROM manifests ${where}`),
      db.prepare<[Key]>(`DELETE FROM blob_links ${where}`),
      db.prepare<[Key]>(`DELETE FROM upload_sessions ${where}`),
    ];
    const deleteRepository = db.prepare<[Key]>('DELETE FROM repositories WHERE registry = @registry AND name = @name');
    // Manifests cascade to their tags, blobs and children; the repository row goes last.
    this.remove = db.transaction((key: Key) => {
      for (const statement of cascade) statement.run(key);
      return deleteRepository.run(key).changes > 0;
    });

    const store = db.prepare<[Key & { settings: string }]>('UPDATE repositories SET settings = @settings WHERE registry = @registry AND name = @name');
    // Run with .immediate(): the write lock is taken before the read, so no other connection can update
    // in between (no lost update). A throwing mutate rolls the transaction back and the error propagates.
    this.updateTx = db.transaction((key: Key, mutate: Mutate) => {
      const row = this.select.get(key);
      if (!row) return undefined;
      const settings = JSON.stringify(mutate(parseSettings(row.settings)));
      store.run({ ...key, settings });
      return toRepository({ ...row, settings });
    });
  }

  async create(ref: RepoRef, at: Date, settings: RepositorySettings = DEFAULT_REPOSITORY_SETTINGS): Promise<{ created: boolean; repository: Repository }> {
    const key = { registry: ref.registry, name: ref.name };
    const created = this.insert.run({ ...key, createdAt: at.getTime(), settings: JSON.stringify(settings) }).changes > 0;
    return { created, repository: toRepository(this.select.get(key) as RepositoryRow) };
  }

  async get(ref: RepoRef): Promise<Repository | undefined> {
    return this.cache.read(ref.registry, ref.name, '', this.load);
  }

  private readonly load = (registry: string, name: string): Repository | undefined => {
    const row = this.select.get({ registry, name });
    return row && toRepository(row);
  };

  async update(ref: RepoRef, mutate: Mutate): Promise<Repository | undefined> {
    return this.updateTx.immediate({ registry: ref.registry, name: ref.name }, mutate);
  }

  async list(registry: string, page: Page): Promise<string[]> {
    const rows = this.page.all({ registry, last: page.last ?? '', limit: Math.max(0, page.limit) });
    return rows.map((row) => row.name);
  }

  async listRecords(registry: string, page: Page): Promise<Repository[]> {
    const rows = this.recordPage.all({ registry, last: page.last ?? '', limit: Math.max(0, page.limit) });
    return rows.map(([registryKey, name, created_at, settings]) => toRepository({ registry: registryKey, name, created_at, settings }));
  }

  async delete(ref: RepoRef): Promise<boolean> {
    return this.remove.immediate({ registry: ref.registry, name: ref.name });
  }
}
