import type Database from 'better-sqlite3';
import type { RegistryEvent } from '@cargohold/events';
import type { Digest, RepoRef, ReplicationStatusRecord, ReplicationStatusStore } from '@cargohold/storage-ports';
import { OutboxRecorder } from './sqlite-outbox-store';

type Row = { registry: string; repository: string; digest: string; region: string; registry_id: string; document: string };

/** One row per (image, destination), the record as a JSON document; events go in with it. */
export class SqliteReplicationStatusStore implements ReplicationStatusStore {
  private readonly outbox: OutboxRecorder;
  private readonly upsert: Database.Statement<[Row]>;
  private readonly select: Database.Statement<[string, string, string], { document: string }>;
  private readonly setTx: Database.Transaction<(row: Row, events: readonly RegistryEvent[]) => void>;

  constructor(db: Database.Database) {
    this.outbox = new OutboxRecorder(db);
    this.upsert = db.prepare(
      `INSERT INTO replication_statuses (registry, repository, digest, region, registry_id, document)
       VALUES (@registry, @repository, @digest, @region, @registry_id, @document)
       ON CONFLICT DO UPDATE SET document = excluded.document`,
    );
    this.select = db.prepare('SELECT document FROM replication_statuses WHERE registry = ? AND repository = ? AND digest = ? ORDER BY region, registry_id');
    this.setTx = db.transaction((row: Row, events: readonly RegistryEvent[]) => {
      this.upsert.run(row);
      this.outbox.record(events);
    });
  }

  async set(repo: RepoRef, digest: Digest, record: ReplicationStatusRecord, events: readonly RegistryEvent[] = []): Promise<void> {
    const row = {
      registry: repo.registry,
      repository: repo.name,
      digest,
      region: record.region,
      registry_id: record.registryId,
      document: JSON.stringify(record),
    };
    this.setTx.immediate(row, this.outbox.prepare(events));
  }

  async list(repo: RepoRef, digest: Digest): Promise<ReplicationStatusRecord[]> {
    return this.select.all(repo.registry, repo.name, digest).map((row) => JSON.parse(row.document) as ReplicationStatusRecord);
  }
}
