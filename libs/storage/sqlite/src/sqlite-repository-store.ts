import type Database from 'better-sqlite3';
import type { Page, RepoRef, Repository, RepositoryStore } from '@cargohold/storage-ports';

interface RepositoryRow {
  registry: string;
  name: string;
  created_at: number;
}
type Key = { registry: string; name: string };

const toRepository = (row: RepositoryRow): Repository => ({
  registry: row.registry,
  name: row.name,
  createdAt: new Date(row.created_at),
});

export class SqliteRepositoryStore implements RepositoryStore {
  private readonly insert: Database.Statement<[Key & { createdAt: number }]>;
  private readonly select: Database.Statement<[Key], RepositoryRow>;
  private readonly page: Database.Statement<[{ registry: string; last: string; limit: number }], { name: string }>;
  private readonly remove: Database.Transaction<(key: Key) => boolean>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO repositories (registry, name, created_at) VALUES (@registry, @name, @createdAt) ON CONFLICT DO NOTHING',
    );
    this.select = db.prepare('SELECT registry, name, created_at FROM repositories WHERE registry = @registry AND name = @name');
    this.page = db.prepare('SELECT name FROM repositories WHERE registry = @registry AND name > @last ORDER BY name LIMIT @limit');

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
  }

  async create(ref: RepoRef, at: Date): Promise<{ created: boolean; repository: Repository }> {
    const key = { registry: ref.registry, name: ref.name };
    const created = this.insert.run({ ...key, createdAt: at.getTime() }).changes > 0;
    return { created, repository: toRepository(this.select.get(key) as RepositoryRow) };
  }

  async get(ref: RepoRef): Promise<Repository | undefined> {
    const row = this.select.get({ registry: ref.registry, name: ref.name });
    return row && toRepository(row);
  }

  async list(registry: string, page: Page): Promise<string[]> {
    const rows = this.page.all({ registry, last: page.last ?? '', limit: Math.max(0, page.limit) });
    return rows.map((row) => row.name);
  }

  async delete(ref: RepoRef): Promise<boolean> {
    return this.remove.immediate({ registry: ref.registry, name: ref.name });
  }
}
