import type Database from 'better-sqlite3';
import type { Digest } from '@cargohold/oci';
import type { BlobLinkStore, Found, RepoRef } from '@cargohold/storage-ports';

type Key = { registry: string; repository: string; digest: string };
const keyOf = (repo: RepoRef, digest: Digest): Key => ({ registry: repo.registry, repository: repo.name, digest });

export class SqliteBlobLinkStore implements BlobLinkStore {
  private readonly insert: Database.Statement<[Key & { size: number; at: number }]>;
  private readonly select: Database.Statement<[Key], { size: number }>;
  private readonly remove: Database.Statement<[Key]>;

  constructor(db: Database.Database) {
    // DO NOTHING on conflict: re-linking keeps the first size (the contract's idempotency).
    this.insert = db.prepare(
      `INSERT INTO blob_links (registry, repository, digest, size, linked_at)
       VALUES (@registry, @repository, @digest, @size, @at) ON CONFLICT DO NOTHING`,
    );
    const where = 'WHERE registry = @registry AND repository = @repository AND digest = @digest';
    this.select = db.prepare(`SELECT size FROM blob_links ${where}`);
    this.remove = db.prepare(`DELETE FROM blob_links ${where}`);
  }

  async link(repo: RepoRef, digest: Digest, size: number, at: Date): Promise<void> {
    this.insert.run({ ...keyOf(repo, digest), size, at: at.getTime() });
  }

  async stat(repo: RepoRef, digest: Digest): Promise<Found<{ size: number }>> {
    const row = this.select.get(keyOf(repo, digest));
    return row ? { found: true, size: row.size } : { found: false };
  }

  async unlink(repo: RepoRef, digest: Digest): Promise<boolean> {
    return this.remove.run(keyOf(repo, digest)).changes > 0;
  }
}
