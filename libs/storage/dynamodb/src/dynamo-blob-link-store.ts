import type { BlobLinkStore, Digest, Found, RepoRef } from '@cargohold/storage-ports';
import type { Key, Table } from './table';
import { keys } from './table-design';

/** Item: { PK: REPO#<registry>#<name>, SK: L#<digest>, size, linkedAt: epoch ms }. */
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
    return (await this.table.delete(keyOf(repo, digest))).old !== undefined;
  }
}
