import type { AccessRecord } from '@cargohold/auth';
import type { Digest, RepoRef } from '@cargohold/storage-ports';
import type { Readable } from 'node:stream';
import type { FillRule } from './blob-fills';

type Allows = (access: readonly AccessRecord[]) => Promise<readonly boolean[]>;

/**
 * The cache-syncer as the `/v2/` routes see it (implemented by @cargohold/pull-through, wired by the
 * composition root). Repositories no pull-through cache rule covers pass through untouched.
 */
export interface PullThroughHook {
  /**
   * Before a manifest GET/HEAD: fetches a missing manifest from the upstream, or re-checks a cached tag.
   * Answers the upstream's manifest (digest verified) to serve as it is when it could not be cached yet
   * (a Lambda fetches no blob with it: its blobs are filled on their GETs); undefined: read storage.
   */
  beforeManifestRead(repo: RepoRef, reference: string, allows: Allows): Promise<{ digest: Digest; mediaType: string; bytes: Buffer } | undefined>;
  /**
   * After a blob read found nothing: the upstream's bytes, streamed while they are stored, or undefined
   * when the blob is (now) in storage and the route should read it again.
   */
  onBlobMiss(repo: RepoRef, digest: string, allows: Allows): Promise<{ digest: Digest; size: number; body: Readable } | undefined>;
  /**
   * After a blob read found nothing, where the bytes must be fetched elsewhere (a Lambda redirects to the
   * upload gateway): the rule to fill it through, once the caller may import (the repository is created
   * on first pull), or undefined when no rule covers the repository or the blob is (now) in storage.
   */
  planBlobFill(repo: RepoRef, digest: string, allows: Allows): Promise<FillRule | undefined>;
  /** On the gateway: whether `rule` still covers the repository (a fill capability outlives no rule change). */
  stillCovers(repo: RepoRef, rule: FillRule): Promise<boolean>;
  /** The rule covering the repository, if any (no import, no link): where a blob read that missed twice is sent. */
  coveringRule(repo: RepoRef): Promise<FillRule | undefined>;
}
