import type { Digest, Found, RepoRef } from './refs';

/**
 * Which repository may see which blob. A blob is served from a repository only through a link, which is
 * how uploads, cross-repository mounts and deletes are scoped.
 *
 * Contract: `link` is idempotent (re-linking keeps the first size); `unlink` answers whether a link existed.
 * `unlink` refuses with BlobReferencedError, and keeps the link, while any manifest of the repository lists
 * the digest among its `blobs` (invariant 3: a tagged manifest's layers stay in its repository). The error
 * names some of those manifests, in byte order, not necessarily all: a base layer a million manifests list
 * is refused at the cost of finding one (adapters document how many they name). Once those
 * manifests are deleted the blob may be unlinked. The check and the delete are one atomic step where the
 * adapter can make them so (see the DynamoDB adapter for the window it leaves).
 */
export interface BlobLinkStore {
  link(repo: RepoRef, digest: Digest, size: number, at: Date): Promise<void>;
  stat(repo: RepoRef, digest: Digest): Promise<Found<{ size: number }>>;
  unlink(repo: RepoRef, digest: Digest): Promise<boolean>;
}
