import type { Digest, Found, RepoRef } from './refs';

/**
 * Which repository may see which blob. A blob is served from a repository only through a link, which is
 * how uploads, cross-repository mounts and deletes are scoped.
 *
 * Contract: `link` is idempotent (re-linking keeps the first size); `unlink` answers whether a link existed.
 */
export interface BlobLinkStore {
  link(repo: RepoRef, digest: Digest, size: number, at: Date): Promise<void>;
  stat(repo: RepoRef, digest: Digest): Promise<Found<{ size: number }>>;
  unlink(repo: RepoRef, digest: Digest): Promise<boolean>;
}
