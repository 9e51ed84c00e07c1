import type Database from 'better-sqlite3';
import { parseRegistryEvent, type RegistryEvent } from '@cargohold/events';
import type { DeadLetter, OutboxEntry, OutboxStore } from '@cargohold/storage-ports';

type Stamp = { registry: string; repository: string };

/**
 * Writes events into the outbox inside the caller's transaction: stamps the next version of their
 * (registry, repository) and assigns seq. SqliteManifestStore and SqliteOutboxStore share it.
 */
export class OutboxRecorder {
  private readonly nextVersion: Database.Statement<[Stamp], { version: number }>;
  private readonly insert: Database.Statement<[Stamp & { version: number; event: string }]>;

  constructor(db: Database.Database) {
    this.nextVersion = db.prepare(
      `INSERT INTO event_versions (registry, repository, version) VALUES (@registry, @repository, 1)
       ON CONFLICT DO UPDATE SET version = version + 1
       RETURNING version`,
    );
    this.insert = db.prepare(
      `INSERT INTO outbox (registry, repository, version, event, attempts, last_error, available_at)
       VALUES (@registry, @repository, @version, @event, 0, NULL, 0)`,
    );
  }

  /** Validates events before the change they describe: a malformed one fails the mutation up front. */
  prepare(events: readonly RegistryEvent[]): RegistryEvent[] {
    return events.map((event) => parseRegistryEvent(event));
  }

  /** Only inside a transaction, and only once the change has happened. */
  record(events: readonly RegistryEvent[]): void {
    for (const event of events) {
      const stamp = { registry: event.registry, repository: event.repository };
      const { version } = this.nextVersion.get(stamp) as { version: number };
      this.insert.run({ ...stamp, version, event: JSON.stringify({ ...event, version }) });
    }
  }
}

interface OutboxRow {
  seq: number;
  event: string;
  attempts: number;
  last_error: string | null;
}
interface DeadLetterRow {
  seq: number;
  event: string;
  attempts: number;
  error: string;
  at: number;
}

export class SqliteOutboxStore implements OutboxStore {
  private readonly recorder: OutboxRecorder;
  private readonly appendTx: Database.Transaction<(events: readonly RegistryEvent[]) => void>;
  private readonly dueTx: Database.Transaction<(now: number, limit: number, until: number) => OutboxRow[]>;
  private readonly remove: Database.Statement<[{ seq: number }]>;
  private readonly release: Database.Statement<[{ now: number }]>;
  private readonly failed: Database.Statement<[{ seq: number; error: string; at: number }]>;
  private readonly deadLetterTx: Database.Transaction<(seq: number, error: string, at: number) => void>;
  private readonly deadPage: Database.Statement<[{ limit: number }], DeadLetterRow>;

  constructor(db: Database.Database) {
    this.recorder = new OutboxRecorder(db);
    this.appendTx = db.transaction((events: readonly RegistryEvent[]) => this.recorder.record(events));

    const dueRows = db.prepare<[{ now: number; limit: number }], OutboxRow>(
      'SELECT seq, event, attempts, last_error FROM outbox WHERE available_at <= @now ORDER BY seq LIMIT @limit',
    );
    // Leasing starts an attempt, and counts it now: an attempt that crashes the process is counted too.
    const lease = db.prepare<[{ seq: number; until: number }]>('UPDATE outbox SET available_at = @until, attempts = attempts + 1 WHERE seq = @seq');
    // Select and lease commit together, so two dispatchers never take the same entry within a lease.
    this.dueTx = db.transaction((now: number, limit: number, until: number) => {
      const rows = dueRows.all({ now, limit });
      for (const row of rows) lease.run({ seq: row.seq, until });
      return rows.map((row) => ({ ...row, attempts: row.attempts + 1 }));
    });

    this.remove = db.prepare('DELETE FROM outbox WHERE seq = @seq');
    this.release = db.prepare('UPDATE outbox SET available_at = @now WHERE available_at > @now');
    this.failed = db.prepare('UPDATE outbox SET last_error = @error, available_at = @at WHERE seq = @seq');
    const bury = db.prepare<[{ seq: number; error: string; at: number }]>(
      `INSERT INTO dead_letters (seq, registry, repository, version, event, attempts, error, at)
       SELECT seq, registry, repository, version, event, attempts, @error, @at FROM outbox WHERE seq = @seq`,
    );
    this.deadLetterTx = db.transaction((seq: number, error: string, at: number) => {
      if (bury.run({ seq, error, at }).changes > 0) this.remove.run({ seq });
    });
    this.deadPage = db.prepare('SELECT seq, event, attempts, error, at FROM dead_letters ORDER BY at, seq LIMIT @limit');
  }

  async append(events: readonly RegistryEvent[]): Promise<void> {
    this.appendTx.immediate(this.recorder.prepare(events));
  }

  async due(now: Date, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const rows = this.dueTx.immediate(now.getTime(), Math.max(0, limit), now.getTime() + leaseMs);
    return rows.map((row) => ({
      seq: row.seq,
      event: parseRegistryEvent(JSON.parse(row.event)),
      attempts: row.attempts,
      ...(row.last_error !== null && { lastError: row.last_error }),
    }));
  }

  async delivered(seq: number): Promise<void> {
    this.remove.run({ seq });
  }

  async releaseAll(now: Date): Promise<number> {
    return this.release.run({ now: now.getTime() }).changes;
  }

  async retry(seq: number, error: string, at: Date): Promise<void> {
    this.failed.run({ seq, error, at: at.getTime() });
  }

  async deadLetter(seq: number, error: string, at: Date): Promise<void> {
    this.deadLetterTx.immediate(seq, error, at.getTime());
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    return this.deadPage.all({ limit: Math.max(0, limit) }).map((row) => ({
      seq: row.seq,
      event: parseRegistryEvent(JSON.parse(row.event)),
      attempts: row.attempts,
      error: row.error,
      at: new Date(row.at),
    }));
  }
}
