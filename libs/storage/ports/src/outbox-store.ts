import type { RegistryEvent } from '@cargohold/events';

export interface OutboxEntry {
  /** Global, increasing delivery order. */
  readonly seq: number;
  /** The event as recorded, with its per-repository `version` stamped in. */
  readonly event: RegistryEvent;
  /** Delivery attempts started so far, this one included. */
  readonly attempts: number;
  readonly lastError?: string;
}

export interface DeadLetter {
  readonly seq: number;
  readonly event: RegistryEvent;
  readonly attempts: number;
  readonly error: string;
  readonly at: Date;
}

/**
 * The transactional outbox of the embedded deployment: events recorded with the change that causes
 * them (ManifestStore mutations take an `events` argument and write them in the same atomic step), then
 * delivered at least once by a dispatcher, surviving restarts.
 *
 * Contract:
 * - Recording an event (through a ManifestStore mutation or `append`) assigns `seq` and stamps the
 *   event's `version`: 1, 2, 3, … per (registry, repository), in recording order. A mutation that fails
 *   or changes nothing (e.g. deleting an absent tag) records no event.
 * - `due(now, limit, leaseMs)` returns entries whose next attempt time has come, by `seq`, at most
 *   `limit`, and leases them: they are not returned again before `now + leaseMs`. A process that dies
 *   holding a lease therefore gets its entries redelivered after the lease ends. Leasing starts an
 *   attempt and counts it at once (`attempts` includes it), so an event whose delivery crashes the
 *   process still reaches the dead letters.
 * - `delivered(seq)` removes the entry (idempotent). `retry(seq, error, at)` records why the attempt
 *   failed and makes the entry due again at `at`. `deadLetter(seq, error, at)` moves it to the dead letters,
 *   which `deadLetters` lists oldest first; a dead letter is never delivered again.
 * - `releaseAll(now)` makes every pending entry due at `now` at the latest (leases and retry waits
 *   alike): for a single-process deployment starting up, whose earlier self held the leases.
 */
export interface OutboxStore {
  append(events: readonly RegistryEvent[]): Promise<void>;
  due(now: Date, limit: number, leaseMs: number): Promise<OutboxEntry[]>;
  delivered(seq: number): Promise<void>;
  retry(seq: number, error: string, at: Date): Promise<void>;
  deadLetter(seq: number, error: string, at: Date): Promise<void>;
  deadLetters(limit: number): Promise<DeadLetter[]>;
  releaseAll(now: Date): Promise<number>;
}
