import { randomUUID } from 'node:crypto';
import type { Digest } from '@cargohold/oci';
import { BlobReferencedError, type BlobInventory, type BlobLinkStore, type BlobReclaimStore, type BlobStore } from '@cargohold/storage-ports';
import type { Clock } from '../config';

/**
 * Online garbage collection (invariant 4): deletes blob bytes nothing needs, links nothing references,
 * and expired upload sessions, while pushes go on.
 *
 * What keeps bytes: a repository link (BlobLinkStore), a manifest record with the digest (manifest bytes
 * are blobs), or a writer's pin (BlobPins). Marking reads those from the metadata store of record
 * (BlobReclaimStore: SQLite / DynamoDB); the storage listing (BlobInventory) only proposes candidates.
 *
 * One pass, per listed blob whose bytes are older than `graceMs`:
 * 1. Each link to it older than grace that no manifest of its repository lists (a layer uploaded and
 *    never referenced, or left by a manifest delete) is unlinked. BlobLinkStore.unlink checks the
 *    references atomically with the delete, so a manifest put racing it either lands first (the unlink
 *    refuses and the link stays) or finds the link gone and fails with MANIFEST_BLOB_UNKNOWN, never 201
 *    with a dangling layer: ManifestStore.put checks the links atomically with its write.
 * 2. The digest is claimed: atomically, and only when no link in any repository, no manifest record and
 *    no live pin remains. While the claim holds no pin can be taken.
 * 3. The bytes are deleted, then the claim released.
 *
 * Why no push can end with a link (or manifest record) to deleted bytes, whatever the grace period:
 * writers store bytes and link the digest (uploads) or record the manifest (manifest puts) under one pin;
 * a mount links only under a pin taken before it saw the bytes present. A claim and a pin exclude each
 * other. If the pin came first, the claim fails until the unpin, by which time the link or record that
 * keeps the bytes exists. If the claim came first, the pin waits for the release (BlobPins, ~10 s at
 * most, else 503 UNAVAILABLE with Retry-After), and then the upload or manifest put finds the bytes gone
 * and stores them afresh, and a mount finds them gone and falls back to an upload. Re-check + re-put
 * was the alternative; it cannot close the window between a writer's check and its link without such a
 * lease, and a tombstone that link() respects would have to outlive every upload. Stores decide with a
 * lease (`until`) so a crash never blocks a digest forever; pins are renewed while a body streams, and
 * the collector gives a claim up unused when it is close to expiring (CLAIM_MARGIN_MS), so a slow
 * delete cannot outlive it.
 *
 * What grace buys on top: no push ever has to retry. Bytes uploaded moments ago (younger than grace) are
 * not candidates, nor are links made within grace, so a client that saw a blob exist (HEAD 200) and
 * pushes its manifest within grace succeeds. Grace must exceed the longest upload session (the upload
 * idle timeout) for that; shorter graces stay safe (the argument above), only pushes may fail and retry.
 *
 * Repository deletes leave bytes for the collector (RepositoryStore contract); their links are gone, so
 * the bytes go in the next pass past grace. Sessions idle past the upload idle timeout are expired with
 * their staged bytes, and incomplete multipart uploads older than grace aborted, by the `sessions` and
 * `multipart` hooks (UploadService.purgeIdle; the S3 adapter).
 */

/** A claim lives this long; the collector deletes only with at least CLAIM_MARGIN_MS of it left. */
export const CLAIM_TTL_MS = 5 * 60_000;
const CLAIM_MARGIN_MS = 60_000;
export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

export interface GarbageCollectorPorts {
  readonly blobs: BlobStore;
  readonly inventory: BlobInventory;
  readonly reclaim: BlobReclaimStore;
  readonly links: BlobLinkStore;
  /** Expires idle upload sessions with their staged bytes; answers how many (UploadService.purgeIdle). */
  readonly sessions?: { expireIdle(): Promise<number> };
  /** Aborts storage-level incomplete uploads (S3 multipart) started before `before`; answers how many. */
  readonly multipart?: { abortIncomplete(before: Date, dryRun: boolean): Promise<number> };
}

export interface GcOptions {
  readonly graceMs: number;
  /** Report what would go; change nothing. */
  readonly dryRun?: boolean;
  /** Told of each blob deleted (or that would be, in a dry run). */
  readonly onBlob?: (blob: { digest: Digest; size: number }) => void;
  /** Told of the pass's progress after each blob listed. */
  readonly onProgress?: (progress: GcProgress) => void;
  /**
   * Ends the pass early once aborted (a Lambda's time running out): the blob in hand is finished (its claim
   * released), no further blob is taken, and the session and multipart steps not yet begun are skipped.
   * The report then says `complete: false`; everything left is still there for the next pass.
   */
  readonly signal?: AbortSignal;
}

export interface GcProgress {
  readonly scanned: number;
  readonly blobsDeleted: number;
  readonly bytesReclaimed: number;
}

export interface GcReport {
  readonly dryRun: boolean;
  readonly blobsScanned: number;
  readonly blobsDeleted: number;
  readonly bytesReclaimed: number;
  readonly linksRemoved: number;
  readonly sessionsExpired: number;
  readonly multipartAborted: number;
  readonly durationMs: number;
  /** False when `signal` ended the pass before it went through every step. */
  readonly complete: boolean;
}

export class GarbageCollector {
  constructor(
    private readonly ports: GarbageCollectorPorts,
    private readonly clock: Clock,
  ) {}

  async run(options: GcOptions): Promise<GcReport> {
    const started = this.clock.now();
    const dryRun = options.dryRun ?? false;
    const cutoff = started.getTime() - options.graceMs;
    const tally = { blobsScanned: 0, blobsDeleted: 0, bytesReclaimed: 0, linksRemoved: 0 };
    const stopped = () => options.signal?.aborted ?? false;
    for await (const blob of this.ports.inventory.stored()) {
      if (stopped()) break;
      tally.blobsScanned++;
      if (blob.modifiedAt.getTime() <= cutoff) {
        const outcome = await this.collect(blob.digest, cutoff, dryRun);
        tally.linksRemoved += outcome.linksRemoved;
        if (outcome.deleted) {
          tally.blobsDeleted++;
          tally.bytesReclaimed += blob.size;
          options.onBlob?.({ digest: blob.digest, size: blob.size });
        }
      }
      options.onProgress?.({ scanned: tally.blobsScanned, blobsDeleted: tally.blobsDeleted, bytesReclaimed: tally.bytesReclaimed });
    }
    const sessionsExpired = dryRun || stopped() ? 0 : ((await this.ports.sessions?.expireIdle()) ?? 0);
    const multipartAborted = stopped() ? 0 : ((await this.ports.multipart?.abortIncomplete(new Date(cutoff), dryRun)) ?? 0);
    const complete = !stopped();
    return { dryRun, ...tally, sessionsExpired, multipartAborted, durationMs: this.clock.now().getTime() - started.getTime(), complete };
  }

  /** Steps 1–3 of the header for one digest whose bytes are past grace. */
  private async collect(digest: Digest, cutoff: number, dryRun: boolean): Promise<{ deleted: boolean; linksRemoved: number }> {
    let linksRemoved = 0;
    let kept = false;
    for await (const link of this.ports.reclaim.linksOf(digest)) {
      if (link.referenced || link.linkedAt.getTime() > cutoff) {
        kept = true;
      } else if (dryRun) {
        linksRemoved++;
      } else if (await this.unlink(link.repo, digest)) {
        linksRemoved++;
      } else {
        kept = true;
      }
    }
    if (kept) return { deleted: false, linksRemoved };
    if (dryRun) return { deleted: !(await this.ports.reclaim.recorded(digest)), linksRemoved };
    const owner = randomUUID();
    const at = this.clock.now();
    const until = at.getTime() + CLAIM_TTL_MS;
    if (!(await this.ports.reclaim.claim(digest, owner, { at, until: new Date(until) }))) return { deleted: false, linksRemoved };
    try {
      if (this.clock.now().getTime() > until - CLAIM_MARGIN_MS) return { deleted: false, linksRemoved };
      await this.ports.blobs.delete(digest);
      return { deleted: true, linksRemoved };
    } finally {
      await this.ports.reclaim.release(digest, owner);
    }
  }

  /** True when the link went; false when a manifest came to reference it meanwhile (the unlink refused). */
  private async unlink(repo: { registry: string; name: string }, digest: Digest): Promise<boolean> {
    try {
      await this.ports.links.unlink(repo, digest);
      return true;
    } catch (error) {
      if (error instanceof BlobReferencedError) return false;
      throw error;
    }
  }
}

/** The deps a scheduled job (a Lambda, a timer) needs to run one pass: see README "Garbage collection". */
export interface GarbageCollectionDeps {
  readonly ports: GarbageCollectorPorts;
  readonly clock?: Clock;
}

/** One GC pass over the given ports; the entry point for the AWS scheduled job and `cargohold gc`. */
export function runGarbageCollection(deps: GarbageCollectionDeps, options: GcOptions): Promise<GcReport> {
  return new GarbageCollector(deps.ports, deps.clock ?? { now: () => new Date() }).run(options);
}
