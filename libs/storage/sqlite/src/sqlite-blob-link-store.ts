import type Database from 'better-sqlite3';
import type { Digest } from '@cargohold/oci';
import { BlobReferencedError, type BlobLinkStore, type Found, type RepoRef } from '@cargohold/storage-ports';

type Key = { registry: string; repository: string; digest: string };
/** How many of the manifests that list a blob an unlink's refusal names. */
const REFERENCES_NAMED = 10;
const keyOf = (repo: RepoRef, digest: Digest): Key => ({ registry: repo.registry, repository: repo.name, digest });

export class SqliteBlobLinkStore implements BlobLinkStore {
  private readonly insert: Database.Statement<[Key & { size: number; at: number }]>;
  private readonly select: Database.Statement<[Key], { size: number }>;
  private readonly unlinkTx: Database.Transaction<(key: Key) => boolean>;

  constructor(db: Database.Database) {
    // DO NOTHING on conflict: re-linking keeps the first size (the contract's idempotency).
    this.insert = db.prepare(
      `INSERT INTO blob_links (registry, repository, digest, size, linked_at)
       VALUES (@registry, @repository, @digest, @size, @at) ON CONFLICT DO NOTHING`,
    );
    const where = 'WHERE registry = @registry AND repository = @repository AND digest = @digest';
    this.select = db.prepare(`SELECT size FROM blob_links ${where}`);
    const remove = db.prepare<[Key]>(`DELETE FROM blob_links ${where}`);
    // manifest_blobs is indexed by digest; the reference check and the delete commit together, so no
    // manifest listing the blob can be recorded in between (invariant 3). One referencing manifest is
    // enough to refuse: the error names the first few, so a base layer that a million manifests list
    // costs what one does.
    const referencedBy = db.prepare<[Key & { limit: number }], { manifest: string }>(
      'SELECT DISTINCT manifest FROM manifest_blobs WHERE digest = @digest AND registry = @registry AND repository = @repository ORDER BY manifest LIMIT @limit',
    );
    this.unlinkTx = db.transaction((key: Key) => {
      if (!this.select.get(key)) return false;
      const manifests = referencedBy.all({ ...key, limit: REFERENCES_NAMED }).map((row) => row.manifest);
      if (manifests.length > 0) throw new BlobReferencedError(key.digest, manifests);
      return remove.run(key).changes > 0;
    });
  }

  async link(repo: RepoRef, digest: Digest, size: number, at: Date): Promise<void> {
    this.insert.run({ ...keyOf(repo, digest), size, at: at.getTime() });
  }

  async stat(repo: RepoRef, digest: Digest): Promise<Found<{ size: number }>> {
    const row = this.select.get(keyOf(repo, digest));
    return row ? { found: true, size: row.size } : { found: false };
  }

  async unlink(repo: RepoRef, digest: Digest): Promise<boolean> {
    return this.unlinkTx.immediate(keyOf(repo, digest));
  }
}
