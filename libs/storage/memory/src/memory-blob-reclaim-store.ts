import type { Digest } from '@cargohold/oci';
import type { BlobLinkEntry, BlobReclaimStore, Lease } from '@cargohold/storage-ports';
import type { MemoryMetadataState } from './memory-state';

/** Pins and claims in the shared state; every method runs to completion between awaits, so checks are atomic. */
export class MemoryBlobReclaimStore implements BlobReclaimStore {
  constructor(private readonly state: MemoryMetadataState) {}

  async *linksOf(digest: Digest): AsyncIterable<BlobLinkEntry> {
    const found: BlobLinkEntry[] = [];
    for (const [repo, data] of this.state.all()) {
      const link = data.links.get(digest);
      const referenced = [...data.manifests.values()].some((m) => m.blobs.includes(digest));
      if (link) found.push({ repo, linkedAt: new Date(link.linkedAt.getTime()), referenced });
    }
    yield* found;
  }

  async recorded(digest: Digest): Promise<boolean> {
    return [...this.state.all()].some(([, data]) => data.manifests.has(digest));
  }

  async pin(digest: Digest, owner: string, lease: Lease): Promise<boolean> {
    // `repo` is not needed: claim reads every repository's links and records directly.
    if (this.claimedByOther(digest, owner, lease.at.getTime())) return false;
    const pins = this.state.pins.get(digest) ?? new Map<string, number>();
    pins.set(owner, lease.until.getTime());
    this.state.pins.set(digest, pins);
    return true;
  }

  async unpin(digest: Digest, owner: string): Promise<void> {
    const pins = this.state.pins.get(digest);
    pins?.delete(owner);
    if (pins?.size === 0) this.state.pins.delete(digest);
  }

  async claim(digest: Digest, owner: string, lease: Lease): Promise<boolean> {
    const now = lease.at.getTime();
    if (this.claimedByOther(digest, owner, now)) return false;
    if ([...(this.state.pins.get(digest)?.values() ?? [])].some((end) => end > now)) return false;
    for (const [, data] of this.state.all()) {
      if (data.links.has(digest) || data.manifests.has(digest)) return false;
    }
    this.state.claims.set(digest, { owner, until: lease.until.getTime() });
    return true;
  }

  async release(digest: Digest, owner: string): Promise<void> {
    if (this.state.claims.get(digest)?.owner === owner) this.state.claims.delete(digest);
  }

  private claimedByOther(digest: Digest, owner: string, now: number): boolean {
    const claim = this.state.claims.get(digest);
    return claim !== undefined && claim.owner !== owner && claim.until > now;
  }
}
