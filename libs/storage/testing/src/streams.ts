import type { Readable } from 'node:stream';

/** Deterministic pseudo-random bytes, so failures are reproducible and blobs differ by seed. */
export function bytesOf(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A request body: `bytes` in chunks of `chunkSize`, yielded asynchronously like a socket would. */
export async function* bodyOf(bytes: Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkSize) {
    await Promise.resolve();
    yield bytes.subarray(at, Math.min(at + chunkSize, bytes.length));
  }
}

/** A body that yields the first `failAfter` bytes of `bytes` and then throws `error` (a client disconnect). */
export async function* failingBody(
  bytes: Uint8Array,
  failAfter: number,
  error: Error = new Error('client disconnected'),
  chunkSize = 4,
): AsyncGenerator<Uint8Array> {
  yield* bodyOf(bytes.subarray(0, failAfter), chunkSize);
  throw error;
}

/** A body that pauses `delayMs` between chunks, so concurrent calls interleave. */
export async function* slowBody(bytes: Uint8Array, chunkSize: number, delayMs: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkSize) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield bytes.subarray(at, Math.min(at + chunkSize, bytes.length));
  }
}

/** Wraps a body and records whether it was read to the end. */
export function tracked(body: AsyncIterable<Uint8Array>): { body: AsyncIterable<Uint8Array>; drained(): boolean } {
  let done = false;
  return {
    body: (async function* () {
      yield* body;
      done = true;
    })(),
    drained: () => done,
  };
}

/** Reads a stream (a blob body) to the end. */
export async function readAll(stream: Readable | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
