import { randomUUID } from 'node:crypto';
import { LeaseLostError, UpdateContentionError } from './errors';
import { pause, type Key, type Table } from './table';

export interface LeaseOptions {
  /** How long a holder may go without renewing before another writer may take the lease over. */
  readonly ttlMs: number;
  /** How long `acquire` waits for a held lease before giving up. */
  readonly waitMs: number;
}

/**
 * A single-writer lease on one item: `{ owner, expiresAt }`, taken with a conditional PutItem when
 * absent or expired, renewed and released only by its owner (conditioned on `owner = :me`). A holder
 * renews before each unit of work and stops with LeaseLostError when it no longer holds the lease, so
 * two writers only overlap if a holder stalls for longer than the TTL between a renewal and its writes.
 */
export class Lease {
  private constructor(
    private readonly table: Table,
    private readonly key: Key,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  static async acquire(table: Table, key: Key, options: LeaseOptions): Promise<Lease> {
    const owner = randomUUID();
    const deadline = Date.now() + options.waitMs;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await pause(attempt);
      const now = Date.now();
      const { applied } = await table.put(
        { ...key, owner, expiresAt: now + options.ttlMs },
        { condition: 'attribute_not_exists(#owner) OR #expiresAt < :now', names: { '#owner': 'owner', '#expiresAt': 'expiresAt' }, values: { ':now': now } },
      );
      if (applied) return new Lease(table, key, owner, options.ttlMs);
      if (now > deadline) throw new UpdateContentionError(`the lease ${key.PK}/${key.SK}`, attempt + 1);
    }
  }

  async renew(): Promise<void> {
    const { applied } = await this.table.update(this.key, {
      update: 'SET #expiresAt = :expiresAt',
      condition: '#owner = :me',
      names: { '#owner': 'owner', '#expiresAt': 'expiresAt' },
      values: { ':me': this.owner, ':expiresAt': Date.now() + this.ttlMs },
    });
    if (!applied) throw new LeaseLostError(`${this.key.PK}/${this.key.SK}`);
  }

  /** Gives the lease up, unless another writer has taken it over meanwhile. */
  async release(): Promise<void> {
    await this.table.delete(this.key, { condition: '#owner = :me', names: { '#owner': 'owner' }, values: { ':me': this.owner } });
  }
}
