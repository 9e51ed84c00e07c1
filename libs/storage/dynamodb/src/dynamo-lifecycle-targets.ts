import type { LifecycleTargets, RepoRef } from '@cargohold/storage-ports';
import type { Table } from './table';
import { INDEX, keys, PREFIX } from './table-design';

const REGISTRY_PREFIX = keys.registry('');

/**
 * The repositories with a lifecycle policy: the sparse LIFECYCLE partition of GSI1 (see table-design.ts),
 * never a scan of the table. GSI reads are eventually consistent: a policy put a moment ago may be missed
 * by this run (the put schedules its own sweep on AWS too) and a deleted one seen (its sweep finds no policy).
 */
export class DynamoLifecycleTargets implements LifecycleTargets {
  constructor(private readonly table: Table) {}

  async *list(): AsyncIterable<RepoRef> {
    const spec = { index: INDEX.sessionsByIdle, key: 'GSI1PK = :p', values: { ':p': keys.lifecyclePartition }, projection: 'PK, SK', consistent: false };
    for await (const page of this.table.pages(spec)) {
      for (const item of page) {
        yield { registry: (item['PK'] as string).slice(REGISTRY_PREFIX.length), name: (item['SK'] as string).slice(PREFIX.repository.length) };
      }
    }
  }
}
