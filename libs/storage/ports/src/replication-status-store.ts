import type { RegistryEvent } from '@cargohold/events';
import type { Digest, RepoRef } from './refs';

export type ReplicationState = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';

/** Where one image of a source registry stands with one destination (ECR's ImageReplicationStatus). */
export interface ReplicationStatusRecord {
  readonly region: string;
  readonly registryId: string;
  readonly status: ReplicationState;
  /** Why a FAILED replication failed; absent otherwise. */
  readonly failureCode?: string;
  /** ISO 8601. */
  readonly updatedAt: string;
}

/**
 * Replication status per (source image, destination), kept in the source registry.
 *
 * Contract:
 * - `set` stores the record for (repo, digest, region, registryId), replacing the previous one whole (an
 *   absent failureCode removes the old one); idempotent.
 * - `set` takes the events that describe the change: an adapter with an outbox records them in the same
 *   atomic step; one whose change feed is the event source (DynamoDB Streams) carries them on the item.
 * - `list` answers one image's records ordered by region, then registryId; [] for an image never replicated.
 */
export interface ReplicationStatusStore {
  set(repo: RepoRef, digest: Digest, record: ReplicationStatusRecord, events?: readonly RegistryEvent[]): Promise<void>;
  list(repo: RepoRef, digest: Digest): Promise<ReplicationStatusRecord[]>;
}
