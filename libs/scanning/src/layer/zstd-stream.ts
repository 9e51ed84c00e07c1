import { Decompress } from 'fzstd';
import { LayerSourceError, ScanError, ScanFailedError } from '../errors';

/**
 * fzstd allocates each frame's whole window up front, as the frame header declares it (up to 2 GiB), so a
 * 20-byte hostile frame could claim gigabytes. zstd's own decoder refuses windows above 128 MiB unless told
 * otherwise; so does the scanner, before fzstd ever sees the frame.
 */
export const MAX_ZSTD_WINDOW_BYTES = 128 * 1024 ** 2;

/**
 * Input is handed to fzstd in small slices: one slice can only describe a bounded amount of output (an RLE
 * block is 4 bytes for 128 KiB), so the blocks produced by one push stay a few MiB at most.
 */
const SLICE_BYTES = 256;

/** Streams zstd decompression, one decoded block (at most 128 KiB) at a time. */
export async function* zstdDecompress(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const guard = new ZstdFrameGuard();
  let pending: Uint8Array[] = [];
  const decoder = new Decompress((block) => {
    if (block.length > 0) pending.push(block);
  });
  try {
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) {
        const slice = chunk.subarray(offset, offset + SLICE_BYTES);
        guard.inspect(slice);
        decoder.push(slice);
        if (pending.length > 0) {
          const blocks = pending;
          pending = [];
          yield* blocks;
        }
      }
    }
    decoder.push(new Uint8Array(0), true);
    yield* pending;
  } catch (error) {
    if (error instanceof ScanError || error instanceof LayerSourceError) throw error;
    throw new ScanFailedError('corrupt-layer', 'invalid zstd data', { cause: error });
  }
}

type GuardState =
  | { at: 'frame-header' }
  | { at: 'block-header'; checksum: boolean }
  | { at: 'skip'; remaining: number; then: 'frame-header' | 'block-header' | 'checksum'; checksum: boolean };

/**
 * Walks zstd frame and block boundaries (RFC 8878 §3.1) without decoding, to read every frame header's
 * window size as it streams by. Anything it cannot follow is left to fzstd to reject.
 */
class ZstdFrameGuard {
  private state: GuardState = { at: 'frame-header' };
  private header: number[] = [];

  inspect(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      const state = this.state;
      if (state.at === 'skip') {
        const n = Math.min(state.remaining, chunk.length - i);
        i += n;
        state.remaining -= n;
        if (state.remaining === 0) this.afterSkip(state);
        continue;
      }
      this.header.push(chunk[i] as number);
      i += 1;
      if (state.at === 'frame-header') this.frameHeader();
      else this.blockHeader(state.checksum);
    }
  }

  private afterSkip(state: Extract<GuardState, { at: 'skip' }>): void {
    if (state.then === 'checksum') {
      this.state = { at: 'skip', remaining: 4, then: 'frame-header', checksum: false };
    } else {
      this.state = state.then === 'frame-header' ? { at: 'frame-header' } : { at: 'block-header', checksum: state.checksum };
    }
  }

  private frameHeader(): void {
    const h = this.header;
    if (h.length < 5) return;
    const magic = readLittleEndian(h, 0, 4);
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (h.length < 8) return;
      const size = readLittleEndian(h, 4, 4);
      this.header = [];
      this.state = size === 0 ? { at: 'frame-header' } : { at: 'skip', remaining: size, then: 'frame-header', checksum: false };
      return;
    }
    if (magic !== 0xfd2fb528) throw new ScanFailedError('corrupt-layer', 'invalid zstd frame');
    const descriptor = h[4] as number;
    const singleSegment = (descriptor >> 5) & 1;
    const dictBytes = [0, 1, 2, 4][descriptor & 3] as number;
    const fcsFlag = descriptor >> 6;
    const fcsBytes = fcsFlag ? 1 << fcsFlag : singleSegment;
    const length = 5 + (1 - singleSegment) + dictBytes + fcsBytes;
    if (h.length < length) return;
    let window: number;
    if (singleSegment) {
      window = readLittleEndian(h, 5 + dictBytes, fcsBytes) + (fcsFlag === 1 ? 256 : 0);
    } else {
      const wd = h[5] as number;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    if (window > MAX_ZSTD_WINDOW_BYTES) throw new ScanFailedError('zstd-window-too-large', `${window} bytes`);
    this.header = [];
    this.state = { at: 'block-header', checksum: ((descriptor >> 2) & 1) === 1 };
  }

  private blockHeader(checksum: boolean): void {
    const h = this.header;
    if (h.length < 3) return;
    const raw = (h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16);
    this.header = [];
    const last = raw & 1;
    const type = (raw >> 1) & 3;
    const size = type === 1 ? 1 : raw >>> 3;
    const then = last ? (checksum ? 'checksum' : 'frame-header') : 'block-header';
    if (size > 0) {
      this.state = { at: 'skip', remaining: size, then, checksum };
    } else {
      this.afterSkip({ at: 'skip', remaining: 0, then, checksum });
    }
  }
}

function readLittleEndian(bytes: number[], offset: number, length: number): number {
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + (bytes[offset + i] as number);
  return value;
}
