import { setTimeout as sleep } from 'node:timers/promises';

/** How a publisher retries the entries a batch API reports as failed (throttling, internal errors). */
export interface RetryOptions {
  /** Sends of the same entry, the first included (default 4). */
  readonly attempts?: number;
  /** Delay before the n-th retry is base × 2^(n-1), with full jitter (default 100 ms). */
  readonly baseDelayMs?: number;
}

/** One entry the service refused, by its index in the batch that was sent. */
export interface EntryFailure {
  readonly index: number;
  readonly retryable: boolean;
  readonly reason: string;
}

export interface BatchLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export interface Undelivered<T> {
  readonly entry: T;
  readonly reason: string;
}

/**
 * Sends `entries` in consecutive batches within `limits` (count and summed size), re-sending only the
 * entries a response reports as retryable failures, with exponential backoff. An entry larger than a
 * whole batch, a non-retryable failure, an exhausted retry budget or a batch call that throws (the SDK
 * has already retried it) makes the entry undelivered: answered, never dropped.
 */
export async function deliverInBatches<T>(
  entries: readonly T[],
  limits: BatchLimits,
  sizeOf: (entry: T) => number,
  send: (batch: readonly T[]) => Promise<readonly EntryFailure[]>,
  retry: RetryOptions = {},
): Promise<Undelivered<T>[]> {
  const undelivered: Undelivered<T>[] = [];
  for (const batch of chunk(entries, limits, sizeOf, undelivered)) {
    undelivered.push(...(await sendWithRetries(batch, send, retry)));
  }
  return undelivered;
}

function chunk<T>(entries: readonly T[], limits: BatchLimits, sizeOf: (entry: T) => number, oversized: Undelivered<T>[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = sizeOf(entry);
    if (size > limits.maxBytes) {
      oversized.push({ entry, reason: `entry of ${size} bytes exceeds the ${limits.maxBytes}-byte limit` });
      continue;
    }
    if (current.length === limits.maxEntries || bytes + size > limits.maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function sendWithRetries<T>(
  batch: readonly T[],
  send: (batch: readonly T[]) => Promise<readonly EntryFailure[]>,
  retry: RetryOptions,
): Promise<Undelivered<T>[]> {
  const attempts = Math.max(1, retry.attempts ?? 4);
  const baseDelayMs = retry.baseDelayMs ?? 100;
  const undelivered: Undelivered<T>[] = [];
  let pending = [...batch];
  for (let attempt = 1; pending.length > 0; attempt++) {
    let failures: readonly EntryFailure[];
    try {
      failures = await send(pending);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return [...undelivered, ...pending.map((entry) => ({ entry, reason }))];
    }
    const again: T[] = [];
    for (const failure of failures) {
      const entry = pending[failure.index];
      if (entry === undefined) continue;
      if (failure.retryable && attempt < attempts) again.push(entry);
      else undelivered.push({ entry, reason: failure.reason });
    }
    pending = again;
    if (pending.length > 0) await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
  }
  return undelivered;
}

/** UTF-8 length of a string (what SQS and EventBridge measure). */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
