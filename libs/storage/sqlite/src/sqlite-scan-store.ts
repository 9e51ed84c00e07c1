import type Database from 'better-sqlite3';
import type { RegistryEvent } from '@cargohold/events';
import { OutboxRecorder } from './sqlite-outbox-store';
import type { Digest, RepoRef, ScanRecord, ScanStatus, ScanStore, ScanSummary } from '@cargohold/storage-ports';

type Key = { registry: string; repository: string; digest: string };

interface ScanRow {
  status: ScanStatus;
  description: string | null;
  started_at: number;
  completed_at: number | null;
  source_updated_at: number | null;
  findings: string;
  severity_counts: string;
}

const keyOf = (repo: RepoRef, digest: Digest): Key => ({ registry: repo.registry, repository: repo.name, digest });

const toRow = (record: ScanRecord): ScanRow => ({
  status: record.status,
  description: record.description ?? null,
  started_at: record.startedAt.getTime(),
  completed_at: record.completedAt?.getTime() ?? null,
  source_updated_at: record.vulnerabilitySourceUpdatedAt?.getTime() ?? null,
  findings: JSON.stringify(record.findings),
  severity_counts: JSON.stringify(record.severityCounts),
});

const summaryOf = (row: Omit<ScanRow, 'findings'>): ScanSummary => ({
  status: row.status,
  ...(row.description !== null && { description: row.description }),
  startedAt: new Date(row.started_at),
  ...(row.completed_at !== null && { completedAt: new Date(row.completed_at) }),
  ...(row.source_updated_at !== null && { vulnerabilitySourceUpdatedAt: new Date(row.source_updated_at) }),
  severityCounts: JSON.parse(row.severity_counts) as ScanRecord['severityCounts'],
});

const fromRow = (row: ScanRow): ScanRecord => ({
  status: row.status,
  ...(row.description !== null && { description: row.description }),
  startedAt: new Date(row.started_at),
  ...(row.completed_at !== null && { completedAt: new Date(row.completed_at) }),
  ...(row.source_updated_at !== null && { vulnerabilitySourceUpdatedAt: new Date(row.source_updated_at) }),
  findings: JSON.parse(row.findings) as ScanRecord['findings'],
  severityCounts: JSON.parse(row.severity_counts) as ScanRecord['severityCounts'],
});

const UPSERT = `INSERT INTO scans (registry, repository, digest, status, description, started_at, completed_at,
                                   source_updated_at, findings, severity_counts)
  VALUES (@registry, @repository, @digest, @status, @description, @started_at, @completed_at,
          @source_updated_at, @findings, @severity_counts)
  ON CONFLICT DO UPDATE SET status = excluded.status, description = excluded.description,
    started_at = excluded.started_at, completed_at = excluded.completed_at,
    source_updated_at = excluded.source_updated_at, findings = excluded.findings,
    severity_counts = excluded.severity_counts`;

/** One row per image; findings and counts are JSON documents stored whole. */
export class SqliteScanStore implements ScanStore {
  /** Scans and the outbox share the database: events go in with the change, in one transaction. */
  private readonly outbox: OutboxRecorder;
  private readonly startTx: Database.Transaction<(params: Key & ScanRow & { not_before: number }, events: RegistryEvent[]) => boolean>;
  private readonly finishTx: Database.Transaction<(params: Key & ScanRow, events: RegistryEvent[]) => void>;
  private readonly select: Database.Statement<[Key], ScanRow>;
  private readonly selectMany: Database.Statement<[{ registry: string; repository: string; digests: string }], Omit<ScanRow, 'findings'> & { digest: string }>;
  private readonly claim: Database.Statement<[Key & ScanRow & { not_before: number }]>;
  private readonly replace: Database.Statement<[Key & ScanRow]>;

  constructor(db: Database.Database) {
    this.select = db.prepare(
      `SELECT status, description, started_at, completed_at, source_updated_at, findings, severity_counts
       FROM scans WHERE registry = @registry AND repository = @repository AND digest = @digest`,
    );
    this.selectMany = db.prepare(
      `SELECT digest, status, description, started_at, completed_at, source_updated_at, severity_counts
       FROM scans WHERE registry = @registry AND repository = @repository AND digest IN (SELECT value FROM json_each(@digests))`,
    );
    // The check and the write are one statement, hence one transaction: two workers racing for the same
    // duplicate event cannot both see the old terminal record and both claim it. A row the WHERE refuses
    // is left alone and counts no change.
    this.claim = db.prepare(`${UPSERT} WHERE scans.status = 'IN_PROGRESS' OR scans.started_at < @not_before`);
    this.replace = db.prepare(UPSERT);
    this.outbox = new OutboxRecorder(db);
    this.startTx = db.transaction((params: Key & ScanRow & { not_before: number }, events: RegistryEvent[]) => {
      const started = this.claim.run(params).changes > 0;
      if (started) this.outbox.record(events);
      return started;
    });
    this.finishTx = db.transaction((params: Key & ScanRow, events: RegistryEvent[]) => {
      this.replace.run(params);
      this.outbox.record(events);
    });
  }

  async get(repo: RepoRef, digest: Digest): Promise<ScanRecord | undefined> {
    const row = this.select.get(keyOf(repo, digest));
    return row && fromRow(row);
  }

  /** One statement for the page: the digests go in as one JSON array (json_each), findings stay unread. */
  async summaries(repo: RepoRef, digests: readonly Digest[]): Promise<Map<Digest, ScanSummary>> {
    const rows = this.selectMany.all({ registry: repo.registry, repository: repo.name, digests: JSON.stringify(digests) });
    return new Map(rows.map((row) => [row.digest as Digest, summaryOf(row)]));
  }

  async start(repo: RepoRef, digest: Digest, at: Date, notBefore: Date, events: readonly RegistryEvent[] = []): Promise<boolean> {
    const row = toRow({ status: 'IN_PROGRESS', startedAt: at, findings: [], severityCounts: {} });
    return this.startTx.immediate({ ...keyOf(repo, digest), ...row, not_before: notBefore.getTime() }, this.outbox.prepare(events));
  }

  async finish(repo: RepoRef, digest: Digest, record: ScanRecord, events: readonly RegistryEvent[] = []): Promise<void> {
    this.finishTx.immediate({ ...keyOf(repo, digest), ...toRow(record) }, this.outbox.prepare(events));
  }
}
