import type Database from 'better-sqlite3';
import type { Digest } from '@cargohold/oci';

/** One row that names stored bytes: a blob link or a manifest record, with the size it records. */
export interface InventoryEntry {
  readonly registry: string;
  readonly repository: string;
  readonly digest: Digest;
  readonly size: number;
}

/**
 * Every blob link and manifest record of the database, across registries, for a scrub (`cargohold fsck`)
 * that checks each against the blob store. Read-only, and outside the ports: only the embedded store's
 * own tools walk a whole store.
 */
export class SqliteInventory {
  private readonly allLinks: Database.Statement<[], InventoryEntry>;
  private readonly allManifests: Database.Statement<[], InventoryEntry>;

  constructor(db: Database.Database) {
    this.allLinks = db.prepare('SELECT registry, repository, digest, size FROM blob_links ORDER BY registry, repository, digest');
    this.allManifests = db.prepare('SELECT registry, repository, digest, size FROM manifests ORDER BY registry, repository, digest');
  }

  links(): InventoryEntry[] {
    return this.allLinks.all();
  }

  manifests(): InventoryEntry[] {
    return this.allManifests.all();
  }
}
