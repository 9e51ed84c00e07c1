import type { Readable } from 'node:stream';
import { parseDigest, type Digest } from '@cargohold/oci';
import { BlobCorruptError, type BlobLinkStore, type BlobStore, type ByteRange, type RepoRef } from '@cargohold/storage-ports';
import { BlobUnknownError, RangeNotSatisfiableError } from './errors';
import type { RepositoryResolver } from './repositories';

/** A byte-range request as the client phrased it, before it meets the blob's size. */
export type RangeSpec = { kind: 'from'; start: number; end?: number } | { kind: 'suffix'; length: number };

/** Resolves a range request against a size: undefined when the whole blob is wanted. */
export function resolveRange(spec: RangeSpec | undefined, size: number): ByteRange | undefined {
  if (!spec) return undefined;
  if (spec.kind === 'suffix') {
    if (spec.length === 0 || size === 0) throw new RangeNotSatisfiableError(size);
    return { start: Math.max(0, size - spec.length), end: size - 1 };
  }
  if (spec.start >= size) throw new RangeNotSatisfiableError(size);
  const end = spec.end === undefined ? size - 1 : Math.min(spec.end, size - 1);
  if (end < spec.start) throw new RangeNotSatisfiableError(size);
  return { start: spec.start, end };
}

/** A link whose bytes are gone: quarantined after failing verification (or lost). A re-push heals it. */
const UNAVAILABLE = 'is in this repository but its stored bytes are not available (quarantined after failing verification?); push it again';

/** Reading and deleting blobs through a repository: a blob is visible only where it is linked. */
export class BlobService {
  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly links: BlobLinkStore,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * What HEAD reports: the link's size, once the stored bytes were seen to still have it (a file
   * truncated behind the registry's back is quarantined here rather than announced at its old length).
   */
  async stat(repo: RepoRef, digestText: string): Promise<{ digest: Digest; size: number }> {
    const linked = await this.linked(repo, digestText);
    const stored = await this.blobs.stat(linked.digest);
    if (!stored.found) throw new BlobUnknownError(linked.digest, UNAVAILABLE);
    if (stored.size !== linked.size) await this.refuseSize(linked.digest, stored.size, linked.size);
    return linked;
  }

  /**
   * Streams the blob (or a range of it) through the verifying store: a whole read that turns out bad
   * errors its stream before the end. A size that is not the recorded one is refused before anything
   * is sent, ranges included; a quarantined blob reads as unknown.
   */
  async open(repo: RepoRef, digestText: string, rangeSpec?: RangeSpec): Promise<{ digest: Digest; size: number; range?: ByteRange; body: Readable }> {
    const { digest, size } = await this.linked(repo, digestText);
    const range = resolveRange(rangeSpec, size);
    const opened = await this.blobs.open(digest, range);
    if (!opened.found) throw new BlobUnknownError(digest, UNAVAILABLE);
    if (opened.size !== size) {
      opened.body.destroy();
      await this.refuseSize(digest, opened.size, size);
    }
    return range ? { digest, size, range, body: opened.body } : { digest, size, body: opened.body };
  }

  private async linked(repo: RepoRef, digestText: string): Promise<{ digest: Digest; size: number }> {
    const { digest } = parseDigest(digestText);
    await this.repositories.require(repo);
    const link = await this.links.stat(repo, digest);
    if (!link.found) throw new BlobUnknownError(digest);
    return { digest, size: link.size };
  }

  /** Content-addressed bytes cannot change size: these are corrupt. */
  private async refuseSize(digest: Digest, stored: number, recorded: number): Promise<never> {
    await this.blobs.quarantine(digest);
    throw new BlobCorruptError(digest, `${stored} bytes stored, ${recorded} recorded`);
  }

  /**
   * Removes the blob from the repository; the bytes stay until garbage collection. Refused with
   * BlobReferencedError (409) while a manifest of the repository lists it (invariant 3).
   */
  async delete(repo: RepoRef, digestText: string): Promise<void> {
    const { digest } = parseDigest(digestText);
    await this.repositories.require(repo);
    if (!(await this.links.unlink(repo, digest))) throw new BlobUnknownError(digest);
  }
}
