interface Entry {
  readonly bytes: Buffer;
  /** Read since the eviction pass last went by (CLOCK's reference bit). */
  used: boolean;
}

/**
 * A bounded cache of immutable content (manifest bytes keyed by digest). Content addressing makes it
 * always coherent: a digest's bytes never change, so there is nothing to invalidate.
 *
 * Evicts by CLOCK, the usual approximation of least-recently-used: a hit only sets the entry's bit (every
 * manifest GET hits here, and moving the entry to the end of the Map, as an exact LRU does, cost more than
 * the rest of the lookup); eviction takes the oldest entries in insertion order, giving one whose bit is
 * set a second chance at the end instead.
 */
export class ByteCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxEntryBytes: number,
  ) {}

  get(key: string): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.used = true;
    return entry.bytes;
  }

  set(key: string, value: Buffer): void {
    if (value.length > this.maxEntryBytes || this.entries.has(key)) return;
    // Room first, then the new entry: each turn evicts an entry or clears a bit, so this ends.
    while (this.total + value.length > this.maxBytes) {
      const oldest = this.entries.entries().next();
      if (oldest.done) break;
      const [oldestKey, entry] = oldest.value;
      this.entries.delete(oldestKey);
      if (entry.used) {
        entry.used = false;
        this.entries.set(oldestKey, entry);
      } else {
        this.total -= entry.bytes.length;
      }
    }
    this.entries.set(key, { bytes: value, used: false });
    this.total += value.length;
  }
}
