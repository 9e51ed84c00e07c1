import type Database from 'better-sqlite3';
import type { LifecycleTargets, RepoRef } from '@cargohold/storage-ports';

const PAGE = 500;

/** Repositories whose settings document holds a lifecycle policy, read page by page (keyset on the primary key). */
export class SqliteLifecycleTargets implements LifecycleTargets {
  private readonly page: Database.Statement<[{ registry: string; name: string; limit: number }], { registry: string; name: string }>;

  constructor(db: Database.Database) {
    this.page = db.prepare(
      `SELECT registry, name FROM repositories
       WHERE (registry, name) > (@registry, @name) AND json_extract(settings, '$.lifecyclePolicyText') IS NOT NULL
       ORDER BY registry, name LIMIT @limit`,
    );
  }

  async *list(): AsyncIterable<RepoRef> {
    let after = { registry: '', name: '' };
    for (;;) {
      const rows = this.page.all({ ...after, limit: PAGE });
      for (const row of rows) yield { registry: row.registry, name: row.name };
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE) return;
      after = last;
    }
  }
}
