import { ScanFailedError } from './errors';

/**
 * The bounds of one image scan. Memory and time are bounded by these numbers, never by the image: every
 * decompressed byte, every tar entry and every captured file is charged against them as it streams by.
 */
export interface ScanLimits {
  /** Decompressed bytes over all layers of the image (tar headers and padding included). */
  maxDecompressedBytes: number;
  /** Tar entries over all layers of the image. */
  maxEntries: number;
  /** Size of one file the inventory reads (a package database, a lockfile, a METADATA file). */
  maxFileBytes: number;
  /** Bytes of all files the inventory keeps in memory at once, over all layers. */
  maxCapturedBytes: number;
  /** Wall-clock time of the whole scan, in milliseconds. */
  maxScanMillis: number;
}

export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxFileBytes: 64 * 1024 ** 2,
  maxCapturedBytes: 256 * 1024 ** 2,
  maxScanMillis: 10 * 60 * 1000,
});

/**
 * The running account of one scan against its limits, shared by every layer of the image. Each charge
 * throws a ScanFailedError as soon as a bound is crossed, so the stream that caused it stops there.
 */
export class ScanBudget {
  readonly limits: Readonly<ScanLimits>;
  private readonly deadline: number;
  private bytes = 0;
  private entries = 0;
  private captured = 0;

  constructor(
    limits: Partial<ScanLimits> = {},
    private readonly signal?: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_SCAN_LIMITS, ...limits };
    this.deadline = this.now() + this.limits.maxScanMillis;
  }

  get decompressedBytes(): number {
    return this.bytes;
  }

  get entryCount(): number {
    return this.entries;
  }

  /** Charges decompressed bytes; also the point where time and cancellation are checked. */
  chargeBytes(n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxDecompressedBytes) {
      throw new ScanFailedError('decompressed-bytes-exceeded', `more than ${this.limits.maxDecompressedBytes} bytes`);
    }
    this.checkTime();
  }

  chargeEntry(): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new ScanFailedError('entry-count-exceeded', `more than ${this.limits.maxEntries} entries`);
    }
    this.checkTime();
  }

  /** Checks a file's declared size before any of it is read, then reserves it. */
  chargeCapturedFile(path: string, size: number): void {
    if (size > this.limits.maxFileBytes) {
      throw new ScanFailedError('file-too-large', `${path} has ${size} bytes`);
    }
    this.captured += size;
    if (this.captured > this.limits.maxCapturedBytes) {
      throw new ScanFailedError('file-too-large', `package databases exceed ${this.limits.maxCapturedBytes} bytes`);
    }
  }

  /** Returns a reservation when a captured file is replaced or deleted by an upper layer. */
  releaseCapturedFile(size: number): void {
    this.captured = Math.max(0, this.captured - size);
  }

  /** Milliseconds left before the deadline (0 when it has passed). */
  remainingMs(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** The cancellation signal, if any, so waits on a stalled source can end with it. */
  get abortSignal(): AbortSignal | undefined {
    return this.signal;
  }

  checkTime(): void {
    if (this.signal?.aborted) throw new ScanFailedError('aborted', undefined, { cause: this.signal.reason });
    if (this.now() > this.deadline) throw new ScanFailedError('deadline-exceeded', `${this.limits.maxScanMillis} ms`);
  }
}
