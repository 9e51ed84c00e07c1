/** Every bound the core enforces (invariant 6: memory is bounded by configuration, not by input). */
export interface RegistryLimits {
  /** Largest single blob (layer/config). ECR's layer limit is 52,000 MiB. */
  readonly maxBlobBytes: number;
  /** Largest manifest body; larger PUTs answer 413. */
  readonly maxManifestBytes: number;
  /** Largest `n` accepted by tags list and catalog; also the page size when `n` is absent. */
  readonly maxPageSize: number;
  /** An upload session untouched for this long expires and its staged bytes are purged. */
  readonly uploadIdleTimeoutMs: number;
  /** How often a pull refreshes an image's lastRecordedPullTime (ECR: at least daily). */
  readonly pullRecordIntervalMs: number;
}

export const DEFAULT_LIMITS: RegistryLimits = {
  maxBlobBytes: 52_000 * 1024 * 1024,
  maxManifestBytes: 4 * 1024 * 1024,
  maxPageSize: 1000,
  uploadIdleTimeoutMs: 60 * 60 * 1000,
  pullRecordIntervalMs: 60 * 60 * 1000,
};

/** Registry-wide behaviour switches (per registry once the ECR API manages them). */
export interface RegistrySettings {
  /** Create a repository on first push instead of answering NAME_UNKNOWN (ECR's create-on-push). */
  readonly createRepositoryOnPush: boolean;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
