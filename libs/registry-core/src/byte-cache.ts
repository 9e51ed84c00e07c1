/**
 * A bounded LRU of immutable content (manifest bytes keyed by digest). Content addressing makes it
 * always coherent: a digest's bytes never change, so there is nothing to invalidate.
 */
export class ByteCache {
  private readonly entries = new Map<string, Buffer>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxEntryBytes: number,
  ) {}

  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: Buffer): void {
    if (value.length > this.maxEntryBytes || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.total += value.length;
    for (const [oldest, bytes] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= bytes.length;
    }
  }
}
