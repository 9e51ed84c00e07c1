import { randomUUID } from 'node:crypto';
import { newEvent, type EventOf } from '@cargohold/events';
import type { Digest } from '@cargohold/oci';
import type { RepoRef } from '@cargohold/storage-ports';
import type { Clock } from './config';

/** Builds the events the core records with its changes (the storage layer stamps their versions). */
export class EventFactory {
  constructor(private readonly clock: Clock) {}

  pushed(repo: RepoRef, digest: Digest, mediaType: string, tags: readonly string[]): EventOf<'image.pushed'> {
    return newEvent('image.pushed', { registry: repo.registry, repository: repo.name, digest, mediaType, tags: [...tags] }, this.clock.now(), randomUUID());
  }

  deleted(repo: RepoRef, digest: Digest, tags: readonly string[], reason?: 'lifecycle'): EventOf<'image.deleted'> {
    const fields = { registry: repo.registry, repository: repo.name, digest, tags: [...tags], ...(reason ? { reason } : {}) };
    return newEvent('image.deleted', fields, this.clock.now(), randomUUID());
  }
}
