import type { RegistryEvent } from '@cargohold/events';
import type { Digest, RepoRef, ReplicationStatusRecord, ReplicationStatusStore } from '@cargohold/storage-ports';
import type { Item, Key, Table } from './table';
import { keys } from './table-design';

/**
 * Item: { PK: REPO#<registry>#<name>, SK: REPL#<digest>#<region>#<registryId>, document: JSON text,
 * events?: JSON text }. In the repository's partition, so a repository delete takes its statuses with it.
 * Events ride on the item as they do on scan items: the table's stream carries them to the stream
 * forwarder (libs/events-aws stream-records.ts), which publishes the `events` a write added.
 */
const PREFIX = 'REPL#';
const keyOf = (repo: RepoRef, digest: Digest, record: ReplicationStatusRecord): Key => ({
  PK: keys.repository(repo),
  SK: `${PREFIX}${digest}#${record.region}#${record.registryId}`,
});
const parse = (item: Item): ReplicationStatusRecord => JSON.parse(item['document'] as string) as ReplicationStatusRecord;

export class DynamoReplicationStatusStore implements ReplicationStatusStore {
  constructor(private readonly table: Table) {}

  async set(repo: RepoRef, digest: Digest, record: ReplicationStatusRecord, events: readonly RegistryEvent[] = []): Promise<void> {
    const carried = events.length === 0 ? undefined : JSON.stringify(events);
    await this.table.put({ ...keyOf(repo, digest, record), document: JSON.stringify(record), ...(carried && { events: carried }) });
  }

  async list(repo: RepoRef, digest: Digest): Promise<ReplicationStatusRecord[]> {
    // Regions are [0-9a-z-] and account ids digits, so the sort key's byte order is (region, registryId).
    const items = await this.table.collect({
      key: 'PK = :pk AND begins_with(SK, :prefix)',
      values: { ':pk': keys.repository(repo), ':prefix': `${PREFIX}${digest}#` },
      consistent: true,
    });
    return items.map(parse);
  }
}
