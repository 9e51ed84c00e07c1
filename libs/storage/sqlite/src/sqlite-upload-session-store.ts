import type Database from 'better-sqlite3';
import type { SessionCursor, UploadSession, UploadSessionStore } from '@cargohold/storage-ports';
import { relaxed } from './relaxed-commit';
import type { WalSync } from './wal-sync';

interface SessionRow {
  id: string;
  registry: string;
  repository: string;
  started_at: number;
  updated_at: number;
}

const toSession = (row: SessionRow): UploadSession => ({
  id: row.id,
  repo: { registry: row.registry, name: row.repository },
  startedAt: new Date(row.started_at),
  updatedAt: new Date(row.updated_at),
});

const COLUMNS = 'id, registry, repository, started_at, updated_at';

export class SqliteUploadSessionStore implements UploadSessionStore {
  private readonly insert: Database.Statement<[SessionRow]>;
  private readonly select: Database.Statement<[string], SessionRow>;
  private readonly update: Database.Statement<[{ id: string; at: number }]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly idle: Database.Statement<[{ before: number; limit: number }], SessionRow>;
  private readonly idleAfter: Database.Statement<[{ before: number; limit: number; at: number; id: string }], SessionRow>;

  /** `wal`: the session's commit fsyncs the WAL in the thread pool (WalSync); FULL on the event loop without. */
  constructor(
    private readonly db: Database.Database,
    private readonly wal?: WalSync,
  ) {
    this.insert = db.prepare(`INSERT INTO upload_sessions (${COLUMNS}) VALUES (@id, @registry, @repository, @started_at, @updated_at)`);
    this.select = db.prepare(`SELECT ${COLUMNS} FROM upload_sessions WHERE id = ?`);
    this.update = db.prepare('UPDATE upload_sessions SET updated_at = @at WHERE id = @id');
    this.remove = db.prepare('DELETE FROM upload_sessions WHERE id = ?');
    this.idle = db.prepare(`SELECT ${COLUMNS} FROM upload_sessions WHERE updated_at < @before ORDER BY updated_at, id LIMIT @limit`);
    this.idleAfter = db.prepare(
      `SELECT ${COLUMNS} FROM upload_sessions WHERE updated_at < @before AND (updated_at > @at OR (updated_at = @at AND id > @id)) ORDER BY updated_at, id LIMIT @limit`,
    );
  }

  async create(session: UploadSession): Promise<void> {
    const row = {
      id: session.id,
      registry: session.repo.registry,
      repository: session.repo.name,
      started_at: session.startedAt.getTime(),
      updated_at: session.updatedAt.getTime(),
    };
    try {
      // No one but the client that started it learns the id, from the answer that waits for this commit.
      if (this.wal) await this.wal.commit(() => this.insert.run(row));
      else this.insert.run(row);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new Error(`upload session ${session.id} already exists`, { cause: error });
      }
      throw error;
    }
  }

  async get(id: string): Promise<UploadSession | undefined> {
    const row = this.select.get(id);
    return row && toSession(row);
  }

  async touch(id: string, at: Date): Promise<void> {
    this.update.run({ id, at: at.getTime() });
  }

  /** A relaxed commit (relaxed-commit.ts): the upload already ended, durably, in its blob and link. */
  async delete(id: string): Promise<boolean> {
    return relaxed(this.db, () => this.remove.run(id).changes > 0);
  }

  async listIdle(before: Date, limit: number, after?: SessionCursor): Promise<UploadSession[]> {
    const page = { before: before.getTime(), limit: Math.max(0, limit) };
    const rows = after ? this.idleAfter.all({ ...page, at: after.updatedAt.getTime(), id: after.id }) : this.idle.all(page);
    return rows.map(toSession);
  }
}
