/**
 * Why a scan stopped. Every bound the scanner enforces and every hostile layer shape it recognises has
 * one reason, so the `FAILED` status shown by DescribeImageScanFindings can say which one it was.
 */
export const SCAN_FAILURE_REASONS = {
  'decompressed-bytes-exceeded': 'the image decompresses to more bytes than the scan allows',
  'entry-count-exceeded': 'the image has more archive entries than the scan allows',
  'file-too-large': 'a package database is larger than the scan allows',
  'deadline-exceeded': 'the scan took longer than allowed',
  aborted: 'the scan was cancelled',
  'path-escape': 'an archive entry escapes the image root',
  'absolute-path': 'an archive entry has an absolute path',
  'link-escape': 'a link points outside the image root',
  'symlink-loop': 'a symbolic link loop was found while resolving a path',
  'corrupt-layer': 'a layer could not be decompressed or read as a tar archive',
  'zstd-window-too-large': 'a zstd frame declares a window larger than the scan allows',
} as const;

export type ScanFailureReason = keyof typeof SCAN_FAILURE_REASONS;

/** Base class of every expected scan outcome that is not `COMPLETE`. */
export class ScanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The scan ended as `FAILED`: a bound was hit or a layer was hostile or corrupt. */
export class ScanFailedError extends ScanError {
  readonly reason: ScanFailureReason;
  /** Non-sensitive detail for operators, e.g. the offending entry path. */
  readonly detail: string | undefined;

  constructor(reason: ScanFailureReason, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${SCAN_FAILURE_REASONS[reason]}: ${detail}` : SCAN_FAILURE_REASONS[reason], options);
    this.reason = reason;
    this.detail = detail;
  }
}

/** The scan ended as `UNSUPPORTED_IMAGE`: the artifact is not something the scanner can read. */
export class ScanUnsupportedError extends ScanError {}

/**
 * The layer's bytes could not be read: the storage failed, not the image. Not a scan outcome; the caller
 * retries the scan later.
 */
export class LayerSourceError extends Error {
  constructor(options: { cause: unknown }) {
    super('the layer could not be read from storage', options);
    this.name = new.target.name;
  }
}
