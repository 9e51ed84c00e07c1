import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError, type Digest } from '@cargohold/oci';
import type { BlobReclaimStore, BlobStore, RepoRef } from '@cargohold/storage-ports';
import type { Clock } from '../config';

/** A crashed writer blocks collection of its digest this long; a live one renews its pin well before. */
export const PIN_TTL_MS = 5 * 60_000;
const PIN_RENEW_MS = PIN_TTL_MS / 5;
/** A collector's claim covers one delete; pins wait for it with backoff up to about this long. */
const PIN_WAIT_MS = 10_000;

/** The collector was deleting the digest's bytes for longer than a pin waits: the client should retry. */
export class BlobBeingCollectedError extends RegistryError {
  constructor(digest: string) {
    super('UNAVAILABLE', `blob ${digest} is being garbage-collected; retry the request`, { status: 503, headers: { 'Retry-After': '1' }, detail: { digest } });
  }
}

/** Bytes a push stored were gone before it could link them: not expected under a pin; a defensive check. */
export class BlobCollectedError extends RegistryError {
  constructor(digest: string) {
    super('BLOB_UPLOAD_INVALID', `blob ${digest} was garbage-collected while it was pushed; push it again`, { detail: { digest } });
  }
}

export type PinOutcome<T> = { present: true; value: T } | { present: false };

/**
 * The writers' side of the collector's exclusion (see garbage-collector.ts for the whole argument): a
 * push stores bytes and links the digest (or records a manifest) under one pin, and a mount links only
 * having seen the bytes present after pinning. The collector deletes bytes only under a claim, which no pin can coexist
 * with; so bytes seen after a pin stay until the unpin, and by then the link or record that keeps them
 * exists. Without a reclaim store (no collector can run) this is a plain call.
 */
export class BlobPins {
  constructor(
    private readonly reclaim: BlobReclaimStore | undefined,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {}

  /** Runs `use` pinned if the bytes are present once pinned; `{ present: false }` (nothing run) if not. */
  async ifPresent<T>(digest: Digest, repo: RepoRef, use: () => Promise<T>): Promise<PinOutcome<T>> {
    return this.pinned(digest, repo, async () => ((await this.blobs.stat(digest)).found ? { present: true, value: await use() } : { present: false }));
  }

  /**
   * Runs `store` (which makes the bytes present: a put, an upload's commit) and then `use`, all under one
   * pin; bytes missing after `store` (they cannot be collected under the pin) are BlobCollectedError.
   */
  async storeThen<S, T>(digest: Digest, repo: RepoRef, store: () => Promise<S>, use: (stored: S) => Promise<T>): Promise<T> {
    return this.pinned(digest, repo, async () => {
      const stored = await store();
      if (!(await this.blobs.stat(digest)).found) throw new BlobCollectedError(digest);
      return use(stored);
    });
  }

  /** Runs `use` under a pin, bytes present or not (a manifest put stores its bytes inside). */
  async pinned<T>(digest: Digest, repo: RepoRef, use: () => Promise<T>): Promise<T> {
    const reclaim = this.reclaim;
    if (!reclaim) return use();
    const owner = randomUUID();
    const waitUntil = Date.now() + PIN_WAIT_MS;
    for (let backoff = 5; ; backoff = Math.min(backoff * 2, 500)) {
      const at = this.clock.now();
      if (await reclaim.pin(digest, owner, { at, until: new Date(at.getTime() + PIN_TTL_MS) }, repo)) break;
      if (Date.now() + backoff > waitUntil) throw new BlobBeingCollectedError(digest);
      await sleep(backoff);
    }
    // Renewed while `use` runs (a body may stream for hours); a failed renewal is retried at the next
    // tick, and only a process stalled for the whole TTL loses the pin.
    const renew = setInterval(() => {
      const at = this.clock.now();
      void reclaim.pin(digest, owner, { at, until: new Date(at.getTime() + PIN_TTL_MS) }, repo).catch(() => undefined);
    }, PIN_RENEW_MS);
    try {
      return await use();
    } finally {
      clearInterval(renew);
      // A failed unpin only delays collection until the pin expires.
      await reclaim.unpin(digest, owner).catch(() => undefined);
    }
  }
}
