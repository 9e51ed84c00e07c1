import type { RegistryEvent } from '@cargohold/events';
import type { Digest, RepoRef, ReplicationStatusRecord, ReplicationStatusStore } from '@cargohold/storage-ports';
import type { MemoryOutboxState } from './memory-outbox';

const imageKey = (repo: RepoRef, digest: Digest): string => `${repo.registry}\u0000${repo.name}\u0000${digest}`;
const destinationKey = (record: ReplicationStatusRecord): string => `${record.region}\u0000${record.registryId}`;

/** Records per image, then per destination; copies in and out. Each call is one synchronous step. */
export class MemoryReplicationStatusStore implements ReplicationStatusStore {
  private readonly byImage = new Map<string, Map<string, ReplicationStatusRecord>>();

  /** Events go to the outbox state of its storage, in the same synchronous step as the record. */
  constructor(private readonly outbox: MemoryOutboxState) {}

  async set(repo: RepoRef, digest: Digest, record: ReplicationStatusRecord, events: readonly RegistryEvent[] = []): Promise<void> {
    const recorded = this.outbox.prepare(events);
    let destinations = this.byImage.get(imageKey(repo, digest));
    if (!destinations) this.byImage.set(imageKey(repo, digest), (destinations = new Map()));
    destinations.set(destinationKey(record), structuredClone(record));
    this.outbox.record(recorded);
  }

  async list(repo: RepoRef, digest: Digest): Promise<ReplicationStatusRecord[]> {
    const destinations = this.byImage.get(imageKey(repo, digest)) ?? new Map<string, ReplicationStatusRecord>();
    return [...destinations.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map(([, record]) => structuredClone(record));
  }
}
