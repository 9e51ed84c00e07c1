import { createWriteStream, fdatasync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const CHUNK = 1024 * 1024;

/** Counts the bytes flowing through (the core already metered and hashed them). */
class Counter extends Transform {
  received = 0;

  constructor() {
    super({ highWaterMark: CHUNK });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    callback(null, chunk);
  }
}

/**
 * Starts the disk writing data while the body still streams in, so the fsync that makes the blob
 * durable waits for the last few megabytes only, not for the whole layer sitting in the page cache.
 * The final fsync is still what makes the write durable; these early flushes only overlap I/O.
 */
const WRITE_BEHIND_BYTES = 8 * 1024 * 1024;

function writeBehind(file: WriteStream, counter: Counter): { settled(): Promise<NodeJS.ErrnoException | undefined> } {
  let flushedAt = 0;
  let flushing = false;
  let failure: NodeJS.ErrnoException | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  // `fd` is public on fs.WriteStream at run time but missing from @types/node's declaration.
  const fdOf = () => (file as WriteStream & { fd: number | null }).fd;
  counter.on('data', () => {
    const fd = fdOf();
    if (flushing || counter.received - flushedAt < WRITE_BEHIND_BYTES || typeof fd !== 'number') return;
    flushing = true;
    flushedAt = counter.received;
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

/**
 * Streams `body` into `path` at `start` and fsyncs the file before closing it (`flush`, on the stream's
 * own descriptor: no second open for the fsync). Backpressure is the pipeline's; no chunk is held
 * beyond the stream buffers. The pipeline settles only once the stream closed, so on failure no write
 * is still in flight when the error is rethrown and the caller can roll back safely; an fsync error
 * fails the write. Resolves with the byte count once the file is fsynced.
 */
export async function writeDurably(path: string, flags: 'wx' | 'r+', start: number, body: AsyncIterable<Uint8Array>): Promise<{ received: number }> {
  const counter = new Counter();
  const file: WriteStream = createWriteStream(path, { flags, start, highWaterMark: CHUNK, flush: true });
  const behind = writeBehind(file, counter);
  try {
    await pipeline(body, counter, file);
  } catch (error) {
    if (!file.closed) await once(file, 'close').catch(() => undefined);
    throw error;
  }
  const writeback = await behind.settled();
  if (writeback) throw writeback;
  return { received: counter.received };
}
