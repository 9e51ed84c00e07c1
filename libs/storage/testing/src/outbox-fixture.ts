import { newEvent, type EventOf, type RegistryEvent } from '@cargohold/events';
import type { Digest, ManifestStore, OutboxStore, RepoRef, RepositoryStore } from '@cargohold/storage-ports';
import { at } from './metadata-fixture';

/** A fresh, empty store whose ManifestStore records into the OutboxStore. */
export interface OutboxFixture {
  readonly manifests: ManifestStore;
  readonly repositories: RepositoryStore;
  readonly outbox: OutboxStore;
  /**
   * The same data opened by a new process after this one died: the current handles are never used again.
   * Required when the suite runs with `restartable: true`.
   */
  reopen?(): Promise<{ outbox: OutboxStore }>;
  cleanup(): Promise<void>;
}

export interface OutboxContractOptions {
  /** The outbox persists across instances (SQLite): enables the restart tests, which use `reopen`. */
  readonly restartable?: boolean;
}

export type MakeOutbox = () => Promise<OutboxFixture>;

/** A fixed, valid (v4-shaped) event id per number, so expectations can name events. */
export const eventId = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** `image.pushed` for `digest` in `repo`, with id eventId(n), occurring n seconds after T0. */
export function pushedEvent(n: number, repo: RepoRef, digest: Digest, tags: readonly string[] = []): EventOf<'image.pushed'> {
  const fields = { registry: repo.registry, repository: repo.name, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json' };
  return newEvent('image.pushed', { ...fields, tags: [...tags] }, at(n), eventId(n));
}

/** `image.deleted` for `digest` in `repo` (tags: the tags it lost), with id eventId(n). */
export function deletedEvent(n: number, repo: RepoRef, digest: Digest, tags: readonly string[] = []): EventOf<'image.deleted'> {
  return newEvent('image.deleted', { registry: repo.registry, repository: repo.name, digest, tags: [...tags] }, at(n), eventId(n));
}

/** `image.scan-requested` for `digest` in `repo`, with id eventId(n). */
export function scanRequestedEvent(n: number, repo: RepoRef, digest: Digest): EventOf<'image.scan-requested'> {
  return newEvent('image.scan-requested', { registry: repo.registry, repository: repo.name, digest, reason: 'push' }, at(n), eventId(n));
}

/** The event as the outbox gives it back: with its per-repository version stamped in. */
export const stamped = <E extends RegistryEvent>(event: E, version: number): E => ({ ...event, version });
