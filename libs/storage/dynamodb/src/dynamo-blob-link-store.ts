import { BlobReferencedError } from '@cargohold/storage-ports';
import type { BlobLinkStore, Digest, Found, RepoRef } from '@cargohold/storage-ports';
import type { Key, Table } from './table';
import { keys, PREFIX } from './table-design';

/*
 * Item: { PK: REPO#<registry>#<name>, SK: L#<digest>, size, linkedAt: epoch ms }.
 *
 * unlink(digest)
 *   1. Query the repository's manifest items (`SK begins_with M#`, strongly consistent, every page) with
 *      FilterExpression `contains(blobs, :digest)`: any hit refuses the unlink with BlobReferencedError.
 *   2. delete the link item, conditioned on it existing.
 *   Without transactions the two steps are not atomic: a manifest listing the blob that is recorded
 *   between 1 and 2 (its put checked the link just before 2) ends up referencing an unlinked blob. The
 *   Query also reads every manifest item of the repository (the filter saves bandwidth, not read units).
 *   On AWS, TransactWriteItems with a `referencedBy` set on the link item (ADDed by a manifest put,
 *   conditioned on the link existing; the delete conditioned on `attribute_not_exists(referencedBy)`)
 *   would close the window and make the check one GetItem.
 */
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
    if (!(await this.table.get(key))) return false;
    const referencedBy = await this.manifestsListing(repo, digest);
    if (referencedBy.length > 0) throw new BlobReferencedError(digest, referencedBy);
    const { applied, old } = await this.table.delete(key, { condition: 'attribute_exists(PK)' });
    return applied && old !== undefined;
  }

  /** The digests of the repository's manifests whose `blobs` list the digest, sorted. */
  private async manifestsListing(repo: RepoRef, digest: Digest): Promise<string[]> {
    const found: string[] = [];
    const spec = {
      key: 'PK = :pk AND begins_with(SK, :prefix)',
      filter: 'contains(#blobs, :digest)',
      names: { '#blobs': 'blobs', '#digest': 'digest' },
      values: { ':pk': keys.repository(repo), ':prefix': PREFIX.manifest, ':digest': digest },
      projection: '#digest',
    };
    for await (const page of this.table.pages(spec)) found.push(...page.map((item) => item['digest'] as string));
    return found.sort();
  }
}
