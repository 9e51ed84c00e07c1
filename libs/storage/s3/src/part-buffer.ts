/**
 * Cuts a byte stream into parts of exactly `partSize` bytes, holding at most one part in memory. Bytes
 * are copied in, so callers may reuse their chunks.
 */
export class PartBuffer {
  private chunks: Buffer[] = [];
  private held = 0;

  constructor(private readonly partSize: number) {}

  get length(): number {
    return this.held;
  }

  /** Adds `chunk`, yielding every part it completes. */
  *push(chunk: Buffer): Generator<Buffer> {
    let rest = chunk;
    while (this.held + rest.length >= this.partSize) {
      const take = this.partSize - this.held;
      this.keep(rest.subarray(0, take));
      rest = rest.subarray(take);
      yield this.take();
    }
    if (rest.length > 0) this.keep(rest);
  }

  /** Empties the buffer, returning what it held (less than a part). */
  take(): Buffer {
    const out = Buffer.concat(this.chunks, this.held);
    this.chunks = [];
    this.held = 0;
    return out;
  }

  private keep(bytes: Buffer): void {
    this.chunks.push(Buffer.from(bytes));
    this.held += bytes.length;
  }
}
