import type { SessionCursor, UploadSession, UploadSessionStore } from '@cargohold/storage-ports';
import { UploadSessionExistsError } from './errors';
import type { Item, Key, Table } from './table';
import { INDEX, keys } from './table-design';

/**
 * Item: { PK: SESSION#<id>, SK: SESSION, id, registry, repository, startedAt, updatedAt (epoch ms),
 * GSI1PK: SESSIONS, GSI1SK: <updatedAt ISO>#<id>, GSI2PK: REPO#<registry>#<name>, GSI2SK: SESSION#<id> }.
 */
const keyOf = (id: string): Key => ({ PK: keys.session(id), SK: keys.sessionSk });

const toSession = (item: Item): UploadSession => ({
  id: item['id'] as string,
  repo: { registry: item['registry'] as string, name: item['repository'] as string },
  startedAt: new Date(item['startedAt'] as number),
  updatedAt: new Date(item['updatedAt'] as number),
});

export class DynamoUploadSessionStore implements UploadSessionStore {
  constructor(private readonly table: Table) {}

  async create(session: UploadSession): Promise<void> {
    const item = {
      ...keyOf(session.id),
      id: session.id,
      registry: session.repo.registry,
      repository: session.repo.name,
      startedAt: session.startedAt.getTime(),
      updatedAt: session.updatedAt.getTime(),
      GSI1PK: keys.idlePartition,
      GSI1SK: keys.idleSince(session.updatedAt, session.id),
      GSI2PK: keys.repository(session.repo),
      GSI2SK: keys.session(session.id),
    };
    const { applied } = await this.table.put(item, { condition: 'attribute_not_exists(PK)' });
    if (!applied) throw new UploadSessionExistsError(session.id);
  }

  async get(id: string): Promise<UploadSession | undefined> {
    const item = await this.table.get(keyOf(id));
    return item && toSession(item);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.table.update(keyOf(id), {
      update: 'SET updatedAt = :at, GSI1SK = :idle',
      condition: 'attribute_exists(PK)',
      values: { ':at': at.getTime(), ':idle': keys.idleSince(at, id) },
    });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.table.delete(keyOf(id))).old !== undefined;
  }

  /** GSI1 is eventually consistent on AWS: a session touched a moment ago may still look idle (harmless). */
  async listIdle(before: Date, limit: number, after?: SessionCursor): Promise<UploadSession[]> {
    if (!after) {
      const items = await this.table.collect(
        {
          index: INDEX.sessionsByIdle,
          key: 'GSI1PK = :sessions AND GSI1SK < :before',
          values: { ':sessions': keys.idlePartition, ':before': keys.idleSince(before) },
          consistent: false,
        },
        limit,
      );
      return items.map(toSession);
    }
    // A sort key condition has one range: BETWEEN is inclusive, so the cursor's own item is dropped here.
    // `before` without an id sorts before every `<before>#<id>`, so the upper end stays exclusive.
    const from = keys.idleSince(after.updatedAt, after.id);
    const items = await this.table.collect(
      {
        index: INDEX.sessionsByIdle,
        key: 'GSI1PK = :sessions AND GSI1SK BETWEEN :from AND :before',
        values: { ':sessions': keys.idlePartition, ':from': from, ':before': keys.idleSince(before) },
        consistent: false,
      },
      limit + 1,
    );
    return items
      .filter((item) => item['GSI1SK'] !== from)
      .slice(0, Math.max(0, limit))
      .map(toSession);
  }
}
