import type Database from 'better-sqlite3';
import type { Digest } from '@cargohold/oci';
import type { BlobLinkEntry, BlobReclaimStore, Lease } from '@cargohold/storage-ports';
import { relaxed } from './relaxed-commit';

interface LeaseRow {
  digest: string;
  owner: string;
  kind: 'pin' | 'claim';
  now: number;
  until: number;
}

const PAGE = 500;

/**
 * Pins and claims as gc_leases rows. Each decision is one IMMEDIATE transaction, so it is atomic with the
 * reads it depends on even when `cargohold gc` runs in another process than the server (SQLite's lock).
 */
export class SqliteBlobReclaimStore implements BlobReclaimStore {
  private readonly links: Database.Statement<
    [{ digest: string; registry: string; repository: string; limit: number }],
    { registry: string; repository: string; linked_at: number; referenced: number }
  >;
  private readonly recordedStmt: Database.Statement<[string], { one: number }>;
  private readonly pinTx: Database.Transaction<(row: LeaseRow) => boolean>;
  private readonly claimTx: Database.Transaction<(row: LeaseRow) => boolean>;
  private readonly remove: Database.Statement<[{ digest: string; owner: string; kind: string }]>;

  constructor(private readonly db: Database.Database) {
    // Keyset pages over blob_links_by_digest (the index carries the primary key: registry, repository).
    this.links = db.prepare(
      `SELECT registry, repository, linked_at,
         EXISTS (SELECT 1 FROM manifest_blobs m WHERE m.digest = l.digest AND m.registry = l.registry AND m.repository = l.repository) AS referenced
       FROM blob_links l WHERE digest = @digest AND (registry, repository) > (@registry, @repository)
       ORDER BY registry, repository LIMIT @limit`,
    );
    const claimedByOther = db.prepare<[LeaseRow], { one: number }>(
      "SELECT 1 AS one FROM gc_leases WHERE digest = @digest AND kind = 'claim' AND owner <> @owner AND until > @now",
    );
    const pinned = db.prepare<[LeaseRow], { one: number }>("SELECT 1 AS one FROM gc_leases WHERE digest = @digest AND kind = 'pin' AND until > @now");
    const linked = db.prepare<[LeaseRow], { one: number }>('SELECT 1 AS one FROM blob_links WHERE digest = @digest LIMIT 1');
    const recorded = db.prepare<[LeaseRow], { one: number }>('SELECT 1 AS one FROM manifests WHERE digest = @digest LIMIT 1');
    this.recordedStmt = db.prepare('SELECT 1 AS one FROM manifests WHERE digest = ? LIMIT 1');
    const expired = db.prepare<[LeaseRow]>('DELETE FROM gc_leases WHERE digest = @digest AND until <= @now');
    const upsert = db.prepare<[LeaseRow]>(
      'INSERT INTO gc_leases (digest, owner, kind, until) VALUES (@digest, @owner, @kind, @until) ON CONFLICT (digest, owner) DO UPDATE SET kind = excluded.kind, until = excluded.until',
    );
    this.remove = db.prepare('DELETE FROM gc_leases WHERE digest = @digest AND owner = @owner AND kind = @kind');
    this.pinTx = db.transaction((row: LeaseRow) => {
      if (claimedByOther.get(row)) return false;
      expired.run(row);
      upsert.run(row);
      return true;
    });
    this.claimTx = db.transaction((row: LeaseRow) => {
      if (claimedByOther.get(row) || pinned.get(row) || linked.get(row) || recorded.get(row)) return false;
      expired.run(row);
      upsert.run(row);
      return true;
    });
  }

  async *linksOf(digest: Digest): AsyncIterable<BlobLinkEntry> {
    let after = { registry: '', repository: '' };
    for (;;) {
      const rows = this.links.all({ digest, ...after, limit: PAGE });
      for (const row of rows)
        yield { repo: { registry: row.registry, name: row.repository }, linkedAt: new Date(row.linked_at), referenced: row.referenced === 1 };
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) return;
      after = { registry: last.registry, repository: last.repository };
    }
  }

  async recorded(digest: Digest): Promise<boolean> {
    return this.recordedStmt.get(digest) !== undefined;
  }

  /** `repo` is not needed: claim reads blob_links and manifests by digest directly. */
  /** Pins and unpins are relaxed commits (relaxed-commit.ts); claims, which delete bytes, stay FULL. */
  async pin(digest: Digest, owner: string, lease: Lease): Promise<boolean> {
    return relaxed(this.db, () => this.pinTx.immediate(row(digest, owner, 'pin', lease)));
  }

  async unpin(digest: Digest, owner: string): Promise<void> {
    relaxed(this.db, () => this.remove.run({ digest, owner, kind: 'pin' }));
  }

  async claim(digest: Digest, owner: string, lease: Lease): Promise<boolean> {
    return this.claimTx.immediate(row(digest, owner, 'claim', lease));
  }

  async release(digest: Digest, owner: string): Promise<void> {
    this.remove.run({ digest, owner, kind: 'claim' });
  }
}

const row = (digest: Digest, owner: string, kind: 'pin' | 'claim', lease: Lease): LeaseRow => ({
  digest,
  owner,
  kind,
  now: lease.at.getTime(),
  until: lease.until.getTime(),
});
