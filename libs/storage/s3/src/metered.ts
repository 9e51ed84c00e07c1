import type { Digester } from '@cargohold/oci';
import { SizeLimitError, SizeMismatchError } from '@cargohold/storage-ports';

export interface Limits {
  /** Bytes already held before this body (an upload's offset). */
  readonly base: number;
  readonly maxBytes: number;
  readonly expectedSize?: number;
  /** What the cap applies to, for the error message. */
  readonly what: string;
}

/**
 * Passes `body` through as Buffers, hashing into `digester` and failing as soon as a limit is broken
 * (before the offending bytes are passed on). `received()` counts what went through.
 */
export function metered(
  body: AsyncIterable<Uint8Array>,
  limits: Limits,
  digester?: Digester,
): { chunks: AsyncIterable<Buffer>; received(): number } {
  let received = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    const { base, maxBytes, expectedSize, what } = limits;
    for await (const chunk of body) {
      received += chunk.length;
      if (base + received > maxBytes) throw new SizeLimitError(what, maxBytes);
      if (expectedSize !== undefined && received > expectedSize) throw new SizeMismatchError(expectedSize, received);
      digester?.update(chunk);
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    if (expectedSize !== undefined && received !== expectedSize) throw new SizeMismatchError(expectedSize, received);
  }
  return { chunks: chunks(), received: () => received };
}

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
