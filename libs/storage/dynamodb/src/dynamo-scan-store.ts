import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RegistryEvent } from '@cargohold/events';
import type { Digest, RepoRef, ScanFinding, ScanRecord, ScanStore, ScanSummary } from '@cargohold/storage-ports';
import { retryOnConflict } from './optimistic';
import type { Item, Key, Table } from './table';
import { keys } from './table-design';

/*
 * One scan item per image, in its repository's partition, plus the findings in parts (table-design.ts):
 *
 *   SCAN#<digest>                              status, startedAt, description?, completedAt?, sourceUpdatedAt?,
 *                                              severityCounts (JSON), generation?, parts?, events? (JSON)
 *   SCAN#<digest>#PART#<generation>#<nnnn>     bytes: a slice of gzip(JSON.stringify(findings))
 *
 * `start` is ONE conditional UpdateItem on the scan item: it claims the scan and drops the previous
 * result's fields, keeping `generation`, so the parts it names stay until the next `finish` (whose
 * PutItem answers the old item) deletes them. Every generation is thus deleted exactly once, by the
 * writer that replaced the item naming it, and never while an item still names it. A crash between
 * writing parts and the item leaves parts nothing names; they go with the repository.
 *
 * Events ride on the scan item: `events` holds the ones the write carries (the JSON array of the
 * RegistryEvents `start` or `finish` was given), and a write without events removes the attribute.
 * The table's stream is the outbox: the stream forwarder publishes the `events` of each scan item
 * record whose new image carries events its old image did not (libs/events-aws stream-records.ts),
 * so an event exists exactly when its change does.
 */

/** Compressed findings per part item: with its keys, far under DynamoDB's 400 KB. */
export const PART_BYTES = 256 * 1024;

const NAMES = {
  '#status': 'status',
  '#startedAt': 'startedAt',
  '#description': 'description',
  '#completedAt': 'completedAt',
  '#sourceUpdatedAt': 'sourceUpdatedAt',
  '#severityCounts': 'severityCounts',
  '#parts': 'parts',
  '#events': 'events',
};

/** The `events` attribute of a write: absent when it carries none. */
const eventsAttribute = (events: readonly RegistryEvent[]): string | undefined => (events.length === 0 ? undefined : JSON.stringify(events));

const scanKey = (repo: RepoRef, digest: Digest): Key => ({ PK: keys.repository(repo), SK: keys.scanSk(digest) });

function scanItem(repo: RepoRef, digest: Digest, record: ScanRecord, generation: string, parts: number, events: readonly RegistryEvent[]): Item {
  return {
    ...scanKey(repo, digest),
    status: record.status,
    description: record.description,
    startedAt: record.startedAt.getTime(),
    completedAt: record.completedAt?.getTime(),
    sourceUpdatedAt: record.vulnerabilitySourceUpdatedAt?.getTime(),
    severityCounts: JSON.stringify(record.severityCounts),
    generation,
    parts,
    events: eventsAttribute(events),
  };
}

const SUMMARY_NAMES = {
  '#status': 'status',
  '#startedAt': 'startedAt',
  '#description': 'description',
  '#completedAt': 'completedAt',
  '#sourceUpdatedAt': 'sourceUpdatedAt',
  '#severityCounts': 'severityCounts',
};

function summaryOf(item: Item): ScanSummary {
  const { findings: _findings, ...summary } = toRecord(item, []);
  return summary;
}

function toRecord(item: Item, findings: ScanFinding[]): ScanRecord {
  const date = (name: string) => (item[name] === undefined ? undefined : new Date(item[name] as number));
  const completedAt = date('completedAt');
  const sourceUpdatedAt = date('sourceUpdatedAt');
  return {
    status: item['status'] as ScanRecord['status'],
    ...(item['description'] !== undefined && { description: item['description'] as string }),
    startedAt: new Date(item['startedAt'] as number),
    ...(completedAt && { completedAt }),
    ...(sourceUpdatedAt && { vulnerabilitySourceUpdatedAt: sourceUpdatedAt }),
    findings,
    severityCounts: item['severityCounts'] === undefined ? {} : (JSON.parse(item['severityCounts'] as string) as Record<string, number>),
  };
}

export class DynamoScanStore implements ScanStore {
  constructor(private readonly table: Table) {}

  async get(repo: RepoRef, digest: Digest): Promise<ScanRecord | undefined> {
    // Retried only when a concurrent finish replaced the item between reading it and reading its parts.
    return retryOnConflict<ScanRecord | undefined>(`scan of ${digest}`, async () => {
      const item = await this.table.get(scanKey(repo, digest));
      if (!item) return { done: true, value: undefined };
      const count = (item['parts'] as number | undefined) ?? 0;
      if (count === 0) return { done: true, value: toRecord(item, []) };
      const parts = await this.parts(repo, digest, item['generation'] as string);
      if (parts.length !== count) return { done: false };
      const json = gunzipSync(Buffer.concat(parts.map((part) => part['bytes'] as Uint8Array))).toString('utf8');
      return { done: true, value: toRecord(item, JSON.parse(json) as ScanFinding[]) };
    });
  }

  /** BatchGetItem of the scan items (100 keys a call), without their findings parts. */
  async summaries(repo: RepoRef, digests: readonly Digest[]): Promise<Map<Digest, ScanSummary>> {
    const wanted = [...new Set(digests)].map((digest) => scanKey(repo, digest));
    const projection = { expression: 'SK, #status, #startedAt, #description, #completedAt, #sourceUpdatedAt, #severityCounts', names: SUMMARY_NAMES };
    const items = await this.table.getAll(wanted, projection);
    return new Map(items.map((item) => [(item['SK'] as string).slice(keys.scanSk('').length) as Digest, summaryOf(item)]));
  }

  async start(repo: RepoRef, digest: Digest, at: Date, notBefore: Date, events: readonly RegistryEvent[] = []): Promise<boolean> {
    const carried = eventsAttribute(events);
    const removed = '#description, #completedAt, #sourceUpdatedAt, #severityCounts, #parts';
    const { applied } = await this.table.update(scanKey(repo, digest), {
      update: carried
        ? `SET #status = :inProgress, #startedAt = :at, #events = :events REMOVE ${removed}`
        : `SET #status = :inProgress, #startedAt = :at REMOVE ${removed}, #events`,
      condition: 'attribute_not_exists(#status) OR #status = :inProgress OR #startedAt < :notBefore',
      names: NAMES,
      values: { ':inProgress': 'IN_PROGRESS', ':at': at.getTime(), ':notBefore': notBefore.getTime(), ...(carried && { ':events': carried }) },
    });
    return applied;
  }

  async finish(repo: RepoRef, digest: Digest, record: ScanRecord, events: readonly RegistryEvent[] = []): Promise<void> {
    const generation = randomUUID();
    const bytes = record.findings.length === 0 ? Buffer.alloc(0) : gzipSync(JSON.stringify(record.findings));
    const parts: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += PART_BYTES) parts.push(bytes.subarray(offset, offset + PART_BYTES));
    const pk = keys.repository(repo);
    await this.table.writeAll(parts.map((part, n) => ({ put: { PK: pk, SK: keys.scanPart(digest, generation, n), bytes: part } })));
    const { old } = await this.table.put(scanItem(repo, digest, record, generation, parts.length, events));
    const stale = old?.['generation'] as string | undefined;
    if (stale !== undefined) await this.table.deleteAll((await this.parts(repo, digest, stale, 'PK, SK')) as Key[]);
  }

  private parts(repo: RepoRef, digest: Digest, generation: string, projection?: string): Promise<Item[]> {
    const spec = {
      key: 'PK = :pk AND begins_with(SK, :prefix)',
      values: { ':pk': keys.repository(repo), ':prefix': keys.scanPart(digest, generation) },
      ...(projection && { projection }),
    };
    return this.table.collect(spec);
  }
}
