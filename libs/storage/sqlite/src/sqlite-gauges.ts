import type Database from 'better-sqlite3';

/** How much work is waiting, as an operator's dashboard shows it. */
export interface StoreGauges {
  readonly uploadSessions: number;
  readonly outboxDepth: number;
  /** Seconds since the oldest undelivered event occurred; 0 when the outbox is empty. */
  readonly outboxOldestAgeSeconds: number;
  readonly deadLetters: number;
  /** Scans by status (IN_PROGRESS, COMPLETE, FAILED, …). */
  readonly scans: Readonly<Record<string, number>>;
}

/**
 * Counts for the metrics endpoint, read at scrape time. Outside the ports, like SqliteInventory: only the
 * embedded server reads its own database this way. Each query is one index or table count; the scan
 * count groups the scans table (one row per scanned image), which stays cheap at the sizes a scrape
 * interval allows.
 */
export class SqliteGauges {
  private readonly sessions: Database.Statement<[], { n: number }>;
  private readonly outbox: Database.Statement<[], { n: number; oldest: string | null }>;
  private readonly dead: Database.Statement<[], { n: number }>;
  private readonly scans: Database.Statement<[], { status: string; n: number }>;

  constructor(db: Database.Database) {
    this.sessions = db.prepare('SELECT COUNT(*) AS n FROM upload_sessions');
    this.outbox = db.prepare("SELECT COUNT(*) AS n, (SELECT json_extract(event, '$.occurredAt') FROM outbox ORDER BY seq LIMIT 1) AS oldest FROM outbox");
    this.dead = db.prepare('SELECT COUNT(*) AS n FROM dead_letters');
    this.scans = db.prepare('SELECT status, COUNT(*) AS n FROM scans GROUP BY status');
  }

  read(now: Date): StoreGauges {
    const outbox = this.outbox.get() ?? { n: 0, oldest: null };
    const oldest = outbox.oldest ? Date.parse(outbox.oldest) : NaN;
    return {
      uploadSessions: this.sessions.get()?.n ?? 0,
      outboxDepth: outbox.n,
      outboxOldestAgeSeconds: Number.isNaN(oldest) ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
      deadLetters: this.dead.get()?.n ?? 0,
      scans: Object.fromEntries(this.scans.all().map((row) => [row.status, row.n])),
    };
  }
}
