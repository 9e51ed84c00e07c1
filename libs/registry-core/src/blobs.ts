import type { Readable } from 'node:stream';
import { parseDigest, type Digest } from '@cargohold/oci';
import type { BlobLinkStore, BlobStore, ByteRange, RepoRef } from '@cargohold/storage-ports';
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

/** Reading and deleting blobs through a repository: a blob is visible only where it is linked. */
export class BlobService {
  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly links: BlobLinkStore,
    private readonly blobs: BlobStore,
  ) {}

  async stat(repo: RepoRef, digestText: string): Promise<{ digest: Digest; size: number }> {
    const { digest } = parseDigest(digestText);
    await this.repositories.require(repo);
    const link = await this.links.stat(repo, digest);
    if (!link.found) throw new BlobUnknownError(digest);
    return { digest, size: link.size };
  }

  async open(repo: RepoRef, digestText: string, rangeSpec?: RangeSpec): Promise<{ digest: Digest; size: number; range?: ByteRange; body: Readable }> {
    const { digest, size } = await this.stat(repo, digestText);
    const range = resolveRange(rangeSpec, size);
    const opened = await this.blobs.open(digest, range);
    if (!opened.found) throw new BlobUnknownError(digest);
    return range ? { digest, size, range, body: opened.body } : { digest, size, body: opened.body };
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
