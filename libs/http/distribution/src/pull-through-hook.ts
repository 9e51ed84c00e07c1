import type { AccessRecord } from '@cargohold/auth';
import type { Digest, RepoRef } from '@cargohold/storage-ports';
import type { Readable } from 'node:stream';

/**
 * The cache-syncer as the `/v2/` routes see it (implemented by @cargohold/pull-through, wired by the
 * composition root). Repositories no pull-through cache rule covers pass through untouched.
 */
export interface PullThroughHook {
  /** Before a manifest GET/HEAD: fetches a missing manifest from the upstream, or re-checks a cached tag. */
  beforeManifestRead(repo: RepoRef, reference: string, allows: (access: readonly AccessRecord[]) => Promise<readonly boolean[]>): Promise<void>;
  /**
   * After a blob read found nothing: the upstream's bytes, streamed while they are stored, or undefined
   * when the blob is (now) in storage and the route should read it again.
   */
  onBlobMiss(
    repo: RepoRef,
    digest: string,
    allows: (access: readonly AccessRecord[]) => Promise<readonly boolean[]>,
  ): Promise<{ digest: Digest; size: number; body: Readable } | undefined>;
}
