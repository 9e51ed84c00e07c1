import type { Digest } from '@cargohold/oci';
import type { RepoRef } from '@cargohold/storage-ports';

/**
 * When this process last recorded each image's pull, so that a hot image's pulls write its
 * lastRecordedPullTime once per interval. Keyed digest, then registry, then repository, one map per part:
 * a key joined per pull is a new string the map hashes whole (~100 characters), while a record's digest
 * is the same string on every pull and is hashed once. At most `maxEntries` images (emptied when full).
 */
export class PullRecords {
  private readonly byDigest = new Map<string, Map<string, Map<string, number>>>();
  private size = 0;

  constructor(private readonly maxEntries: number) {}

  /** When the pull of `digest` in `repo` was last recorded (epoch ms), if it was. */
  last(repo: RepoRef, digest: Digest): number | undefined {
    return this.byDigest.get(digest)?.get(repo.registry)?.get(repo.name);
  }

  set(repo: RepoRef, digest: Digest, at: number): void {
    if (this.size >= this.maxEntries) {
      this.byDigest.clear();
      this.size = 0;
    }
    let byRegistry = this.byDigest.get(digest);
    if (byRegistry === undefined) this.byDigest.set(digest, (byRegistry = new Map()));
    let byName = byRegistry.get(repo.registry);
    if (byName === undefined) byRegistry.set(repo.registry, (byName = new Map()));
    if (!byName.has(repo.name)) this.size++;
    byName.set(repo.name, at);
  }

  delete(repo: RepoRef, digest: Digest): void {
    if (this.byDigest.get(digest)?.get(repo.registry)?.delete(repo.name)) this.size--;
  }
}
