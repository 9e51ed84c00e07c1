import { BlobReferencedError } from '@cargohold/storage-ports';
import type { BlobLinkStore, Digest, Found, RepoRef } from '@cargohold/storage-ports';
import { UpdateContentionError } from './errors';
import { type Key, pause, type Table } from './table';
import { keys, PREFIX } from './table-design';

/*
 * Item: { PK: REPO#<registry>#<name>, SK: L#<digest>, size, linkedAt: epoch ms [, listings] }.
 * `listings` counts the manifest puts that listed the blob: each put's transaction bumps it, conditioned
 * on the link existing (dynamo-manifest-store.ts).
 *
 * unlink(digest)
 *   1. read the link item (its `listings`);
 *   2. Query the repository's manifest items (`SK begins_with M#`, strongly consistent, every page) with
 *      FilterExpression `contains(blobs, :digest)`: any hit refuses the unlink with BlobReferencedError.
 *   3. delete the link item, conditioned on `listings` being what 1 read: a manifest put that listed the
 *      blob since then cancels the delete, and the unlink starts over (and finds that manifest).
 *   A put racing the unlink either commits first (and the unlink finds it or is cancelled) or finds the
 *   link gone (ManifestClosureError). Manifests with more links than a transaction holds are the
 *   documented exception (dynamo-manifest-store.ts). The Query reads every manifest item of the repository
 *   (the filter saves bandwidth, not read units), up to the first page (1 MB) that holds a hit: one
 *   manifest listing the blob is enough to refuse, so a base layer every manifest lists costs one page.
 */
/** Deletes tried before an unlink gives up on concurrent puts listing the blob (UpdateContentionError). */
const ATTEMPTS = 8;

const keyOf = (repo: RepoRef, digest: Digest): Key => ({ PK: keys.repository(repo), SK: keys.linkSk(digest) });

export class DynamoBlobLinkStore implements BlobLinkStore {
  constructor(private readonly table: Table) {}

  /** Conditional on absence: re-linking keeps the first size and time. */
  async link(repo: RepoRef, digest: Digest, size: number, at: Date): Promise<void> {
    await this.table.put({ ...keyOf(repo, digest), size, linkedAt: at.getTime() }, { condition: 'attribute_not_exists(PK)' });
  }

  async stat(repo: RepoRef, digest: Digest): Promise<Found<{ size: number }>> {
    const item = await this.table.get(keyOf(repo, digest));
    return item ? { found: true, size: item['size'] as number } : { found: false };
  }

  async unlink(repo: RepoRef, digest: Digest): Promise<boolean> {
    const key = keyOf(repo, digest);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(attempt);
      const link = await this.table.get(key);
      if (!link) return false;
      const referencedBy = await manifestsListing(this.table, repo, digest);
      if (referencedBy.length > 0) throw new BlobReferencedError(digest, referencedBy);
      const listings = link['listings'] as number | undefined;
      const { applied } = await this.table.delete(key, {
        condition: listings === undefined ? 'attribute_exists(PK) AND attribute_not_exists(#listings)' : '#listings = :listings',
        names: { '#listings': 'listings' },
        ...(listings !== undefined && { values: { ':listings': listings } }),
      });
      if (applied) return true;
    }
    throw new UpdateContentionError(`blob link ${digest}`, ATTEMPTS);
  }
}

/**
 * Digests of the repository's manifests whose `blobs` list the digest, sorted: those of the first Query page
 * (1 MB of manifest items) that has any, or none when no manifest lists it.
 */
export async function manifestsListing(table: Table, repo: RepoRef, digest: Digest): Promise<string[]> {
  const found: string[] = [];
  const spec = {
    key: 'PK = :pk AND begins_with(SK, :prefix)',
    filter: 'contains(#blobs, :digest)',
    names: { '#blobs': 'blobs', '#digest': 'digest' },
    values: { ':pk': keys.repository(repo), ':prefix': PREFIX.manifest, ':digest': digest },
    projection: '#digest',
  };
  for await (const page of table.pages(spec)) {
    found.push(...page.map((item) => item['digest'] as string));
    if (found.length > 0) break;
  }
  return found.sort();
}
