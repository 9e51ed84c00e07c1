import { createWriteStream, fdatasync, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digester } from '@cargohold/oci';
import { SizeLimitError, SizeMismatchError } from '@cargohold/storage-ports';

export const CHUNK = 1024 * 1024;

export interface Limits {
  /** Bytes already held before this body (an upload's offset). */
  readonly base: number;
  readonly maxBytes: number;
  readonly expectedSize?: number;
  /** What the cap applies to, for the error message. */
  readonly what: string;
}

/**
 * Counts the bytes flowing through; with limits, also hashes them and fails the stream as soon as a limit
 * is broken (a monolithic put). An upload's append gets neither: the core's writer already metered and
 * hashed its body.
 */
class Meter extends Transform {
  received = 0;

  constructor(
    private readonly limits: Limits | undefined,
    private readonly digester: Digester | undefined,
  ) {
    super({ highWaterMark: CHUNK });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (!this.limits) return callback(null, chunk);
    const { base, maxBytes, expectedSize, what } = this.limits;
    if (base + this.received > maxBytes) return callback(new SizeLimitError(what, maxBytes));
    if (expectedSize !== undefined && this.received > expectedSize) {
      return callback(new SizeMismatchError(expectedSize, this.received));
    }
    this.digester?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const expectedSize = this.limits?.expectedSize;
    if (expectedSize !== undefined && this.received !== expectedSize) {
      return callback(new SizeMismatchError(expectedSize, this.received));
    }
    callback();
  }
}

/**
 * Streams `body` into `path` at `start` (hashing into `digester` on the way), then fsyncs the file.
 * Backpressure is the pipeline's; no chunk is held beyond the stream buffers. On failure the write
 * stream is fully closed (no write still in flight) before the error is rethrown, so the caller can
 * roll back safely. Resolves with the byte count once the file is fsynced.
 */
/**
 * Starts the disk writing data while the body still streams in, so the fsync that makes the blob
 * durable waits for the last few megabytes only, not for the whole layer sitting in the page cache.
 * The final fsync is still what makes the write durable; these early flushes only overlap I/O.
 */
const WRITE_BEHIND_BYTES = 8 * 1024 * 1024;

function writeBehind(file: WriteStream, meter: Meter): { settled(): Promise<NodeJS.ErrnoException | undefined> } {
  let flushedAt = 0;
  let flushing = false;
  let failure: NodeJS.ErrnoException | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  // `fd` is public on fs.WriteStream at run time but missing from @types/node's declaration.
  const fdOf = () => (file as WriteStream & { fd: number | null }).fd;
  meter.on('data', () => {
    const fd = fdOf();
    if (flushing || meter.received - flushedAt < WRITE_BEHIND_BYTES || typeof fd !== 'number') return;
    flushing = true;
    flushedAt = meter.received;
    inFlight = new Promise<void>((resolve) =>
      fdatasync(fd, (error) => {
        flushing = false;
        // A writeback error is reported once, to this descriptor: it must fail the write (fsyncgate).
        if (error && error.code !== 'EBADF') failure ??= error;
        resolve();
      }),
    );
  });
  return { settled: async () => (await inFlight, failure) };
}

export async function writeMetered(
  path: string,
  flags: 'wx' | 'r+',
  start: number,
  body: AsyncIterable<Uint8Array>,
  limits: Limits | undefined,
  digester: Digester | undefined,
): Promise<{ received: number }> {
  const meter = new Meter(limits, digester);
  const file: WriteStream = createWriteStream(path, { flags, start, highWaterMark: CHUNK });
  const behind = writeBehind(file, meter);
  try {
    await pipeline(body, meter, file);
  } catch (error) {
    if (!file.closed) await once(file, 'close').catch(() => undefined);
    throw error;
  }
  const writeback = await behind.settled();
  if (writeback) throw writeback;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
    return { received: meter.received };
  } finally {
    await handle.close();
  }
}

/** Reads `body` to the end through the same checks, keeping nothing (a put of a blob that exists). */
export async function drainMetered(body: AsyncIterable<Uint8Array>, limits: Limits, digester: Digester): Promise<number> {
  const meter = new Meter(limits, digester);
  const sink = new Writable({ highWaterMark: CHUNK, write: (_chunk, _encoding, callback) => callback() });
  await pipeline(body, meter, sink);
  return meter.received;
}
