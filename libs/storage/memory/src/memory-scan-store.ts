import type { RegistryEvent } from '@cargohold/events';
import type { Digest } from '@cargohold/oci';
import type { RepoRef, ScanRecord, ScanStore, ScanSummary } from '@cargohold/storage-ports';
import type { MemoryOutboxState } from './memory-outbox';

const keyOf = (repo: RepoRef, digest: Digest): string => `${repo.registry}\u0000${repo.name}\u0000${digest}`;

const copyDate = (date: Date) => new Date(date.getTime());

/**
 * Findings and counts go through JSON, as the SQLite adapter stores them: the copy shares nothing with
 * the caller, and an optional field left undefined comes back absent.
 */
function copyScan(record: ScanRecord): ScanRecord {
  return {
    status: record.status,
    ...(record.description !== undefined && { description: record.description }),
    startedAt: copyDate(record.startedAt),
    ...(record.completedAt !== undefined && { completedAt: copyDate(record.completedAt) }),
    ...(record.vulnerabilitySourceUpdatedAt !== undefined && {
      vulnerabilitySourceUpdatedAt: copyDate(record.vulnerabilitySourceUpdatedAt),
    }),
    findings: JSON.parse(JSON.stringify(record.findings)) as ScanRecord['findings'],
    severityCounts: JSON.parse(JSON.stringify(record.severityCounts)) as ScanRecord['severityCounts'],
  };
}

// Like the metadata stores, every method runs synchronously to completion: `start` is atomic.
export class MemoryScanStore implements ScanStore {
  private readonly records = new Map<string, ScanRecord>();

  /** Events go to the outbox state of its storage, in the same synchronous step as the record. */
  constructor(private readonly outbox: MemoryOutboxState) {}

  async get(repo: RepoRef, digest: Digest): Promise<ScanRecord | undefined> {
    const record = this.records.get(keyOf(repo, digest));
    return record && copyScan(record);
  }

  async summaries(repo: RepoRef, digests: readonly Digest[]): Promise<Map<Digest, ScanSummary>> {
    const found = new Map<Digest, ScanSummary>();
    for (const digest of digests) {
      const record = this.records.get(keyOf(repo, digest));
      if (record) {
        const { findings: _findings, ...summary } = copyScan(record);
        found.set(digest, summary);
      }
    }
    return found;
  }

  async start(repo: RepoRef, digest: Digest, at: Date, notBefore: Date, events: readonly RegistryEvent[] = []): Promise<boolean> {
    const recorded = this.outbox.prepare(events);
    const last = this.records.get(keyOf(repo, digest));
    if (last && last.status !== 'IN_PROGRESS' && last.startedAt.getTime() >= notBefore.getTime()) return false;
    this.records.set(keyOf(repo, digest), { status: 'IN_PROGRESS', startedAt: copyDate(at), findings: [], severityCounts: {} });
    this.outbox.record(recorded);
    return true;
  }

  async finish(repo: RepoRef, digest: Digest, record: ScanRecord, events: readonly RegistryEvent[] = []): Promise<void> {
    const recorded = this.outbox.prepare(events);
    this.records.set(keyOf(repo, digest), copyScan(record));
    this.outbox.record(recorded);
  }
}
