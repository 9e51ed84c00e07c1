import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LayerSourceError, ScanError, ScanFailedError, ScanUnsupportedError } from '../errors';
import type { ScanBudget } from '../limits';
import { zstdDecompress } from './zstd-stream';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/**
 * Layer media types the scanner reads: OCI (plain, gzip, zstd, and their non-distributable twins) and
 * Docker schema 2. Anything else (Helm charts, signatures, SBOMs, WASM) is not a filesystem layer.
 */
const LAYER_MEDIA_TYPES: Readonly<Record<string, LayerCompression>> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * The media type says the layer is a tar; the first bytes say how it is compressed. The bytes win: images
 * in the wild label uncompressed layers `.tar.gzip` and the other way round.
 */
export function detectCompression(mediaType: string, head: Uint8Array): LayerCompression {
  const declared = LAYER_MEDIA_TYPES[mediaType.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (declared === undefined) throw new ScanUnsupportedError(`layer media type ${JSON.stringify(mediaType)} is not a filesystem layer`);
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/**
 * Decompresses a layer as a stream, charging every decompressed byte to the budget as it is produced:
 * a bomb stops at the byte cap with only one chunk in flight.
 */
export async function* decompressLayer(source: AsyncIterable<Uint8Array>, mediaType: string, budget: ScanBudget): AsyncIterable<Uint8Array> {
  // Refuse a non-layer media type before reading a byte, so the source is never opened half-way.
  detectCompression(mediaType, new Uint8Array());
  const { head, rest } = await peek(fromStorage(source, budget), ZSTD_MAGIC.length);
  const compression = detectCompression(mediaType, head);
  const decompressed = compression === 'gzip' ? gunzip(rest) : compression === 'zstd' ? zstdDecompress(rest) : rest;
  for await (const chunk of decompressed) {
    budget.chargeBytes(chunk.length);
    yield chunk;
  }
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  // pipeline destroys every stage when one fails or when the consumer stops iterating.
  const output = pipeline(Readable.from(source, { objectMode: false }), createGunzip(), () => undefined);
  try {
    for await (const chunk of output) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof ScanError || error instanceof LayerSourceError) throw error;
    throw new ScanFailedError('corrupt-layer', 'invalid gzip data', { cause: error });
  } finally {
    output.destroy();
  }
}

/**
 * Marks failures of the source itself, so that no later stage mistakes them for a corrupt layer, and
 * holds every wait for the next chunk to the scan's deadline (and cancellation): a source that stalls
 * ends the scan as FAILED instead of holding it forever.
 */
async function* fromStorage(source: AsyncIterable<Uint8Array>, budget: ScanBudget): AsyncIterable<Uint8Array> {
  const watchdog = watch(source, budget);
  try {
    yield* source;
  } catch (error) {
    if (watchdog.fired()) throw watchdog.fired();
    if (error instanceof ScanError) throw error;
    throw error instanceof LayerSourceError ? error : new LayerSourceError({ cause: error });
  } finally {
    watchdog.clear();
  }
}

/**
 * One timer (and abort listener) per layer: at the deadline, or on cancellation, it destroys the source
 * stream, which ends a wait for a chunk that a stalled storage would never deliver.
 */
function watch(source: AsyncIterable<Uint8Array>, budget: ScanBudget): { fired(): ScanFailedError | undefined; clear(): void } {
  let reason: ScanFailedError | undefined;
  const signal = budget.abortSignal;
  const stop = (why: ScanFailedError) => {
    reason ??= why;
    const destroy = (source as { destroy?: (error?: Error) => void }).destroy;
    if (typeof destroy === 'function') destroy.call(source, why);
  };
  const timer = setTimeout(() => stop(new ScanFailedError('deadline-exceeded', `${budget.limits.maxScanMillis} ms`)), budget.remainingMs());
  const onAbort = () => stop(new ScanFailedError('aborted', undefined, { cause: signal?.reason }));
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    fired: () => reason,
    clear: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Reads at least `n` bytes (unless the stream is shorter) and gives back a stream that replays them. */
async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(buffered).subarray(0, n);
  async function* rest(): AsyncIterable<Uint8Array> {
    try {
      yield* buffered;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!done) await iterator.return?.();
    }
  }
  return { head, rest: rest() };
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, i) => bytes[i] === byte);
}
