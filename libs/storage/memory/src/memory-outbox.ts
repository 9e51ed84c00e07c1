import { parseRegistryEvent, type RegistryEvent } from '@cargohold/events';
import type { DeadLetter, OutboxEntry, OutboxStore } from '@cargohold/storage-ports';

interface Pending {
  readonly seq: number;
  readonly event: RegistryEvent;
  readonly attempts: number;
  readonly lastError?: string;
  /** Epoch ms from which `due` may return it: 0 when recorded, then lease ends and retry times. */
  readonly availableAt: number;
}

/**
 * The outbox half of the in-memory state. MemoryManifestStore records into it in the same synchronous
 * step as its change, which is what makes the two atomic. `pending` iterates in seq order: entries are
 * inserted with increasing seqs and replaced in place, never re-inserted.
 */
export class MemoryOutboxState {
  private nextSeq = 1;
  private readonly versions = new Map<string, number>();
  readonly pending = new Map<number, Pending>();
  readonly dead: DeadLetter[] = [];

  /**
   * Validates and copies events before the change they describe, so a malformed event fails the mutation
   * before anything changed (and never reaches a consumer).
   */
  prepare(events: readonly RegistryEvent[]): RegistryEvent[] {
    return events.map((event) => parseRegistryEvent(event));
  }

  /** Assigns seqs and stamps per-(registry, repository) versions; `events` come from `prepare`. */
  record(events: readonly RegistryEvent[]): void {
    for (const event of events) {
      const key = `${event.registry}\u0000${event.repository}`;
      const version = (this.versions.get(key) ?? 0) + 1;
      this.versions.set(key, version);
      const seq = this.nextSeq++;
      this.pending.set(seq, { seq, event: { ...event, version }, attempts: 0, availableAt: 0 });
    }
  }
}

// Like the metadata stores, every method runs synchronously to completion: each one is atomic.
export class MemoryOutboxStore implements OutboxStore {
  constructor(private readonly state: MemoryOutboxState) {}

  async append(events: readonly RegistryEvent[]): Promise<void> {
    this.state.record(this.state.prepare(events));
  }

  async due(now: Date, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (const entry of this.state.pending.values()) {
      if (entries.length >= limit) break;
      if (entry.availableAt > now.getTime()) continue;
      // Leasing starts an attempt, and counts it now: an attempt that crashes the process is counted too.
      const attempts = entry.attempts + 1;
      this.state.pending.set(entry.seq, { ...entry, attempts, availableAt: now.getTime() + leaseMs });
      entries.push({
        seq: entry.seq,
        event: structuredClone(entry.event),
        attempts,
        ...(entry.lastError !== undefined && { lastError: entry.lastError }),
      });
    }
    return entries;
  }

  async delivered(seq: number): Promise<void> {
    this.state.pending.delete(seq);
  }

  async releaseAll(now: Date): Promise<number> {
    let released = 0;
    for (const [seq, entry] of this.state.pending) {
      if (entry.availableAt <= now.getTime()) continue;
      this.state.pending.set(seq, { ...entry, availableAt: now.getTime() });
      released++;
    }
    return released;
  }

  async retry(seq: number, error: string, at: Date): Promise<void> {
    const entry = this.state.pending.get(seq);
    if (!entry) return;
    this.state.pending.set(seq, { ...entry, lastError: error, availableAt: at.getTime() });
  }

  async deadLetter(seq: number, error: string, at: Date): Promise<void> {
    const entry = this.state.pending.get(seq);
    if (!entry) return;
    this.state.pending.delete(seq);
    this.state.dead.push({ seq, event: entry.event, attempts: entry.attempts, error, at: new Date(at.getTime()) });
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const oldestFirst = [...this.state.dead].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
    return oldestFirst.slice(0, Math.max(0, limit)).map((letter) => ({
      ...letter,
      event: structuredClone(letter.event),
      at: new Date(letter.at.getTime()),
    }));
  }
}
