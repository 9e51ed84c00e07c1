import type { RegistryEvent } from '@cargohold/events';
import type { Digest } from '@cargohold/oci';
import {
  BlobReferencedError,
  summaryOf,
  DEFAULT_REGISTRY_SETTINGS,
  DEFAULT_REPOSITORY_SETTINGS,
  ManifestClosureError,
  ManifestReferencedError,
  TagConflictError,
} from '@cargohold/storage-ports';
import type {
  BlobLinkStore,
  Found,
  ManifestDeleteOptions,
  ManifestPutOptions,
  ManifestRecord,
  StorageClass,
  ManifestStore,
  Page,
  RegistrySettings,
  RegistrySettingsStore,
  RepoRef,
  Repository,
  RepositorySettings,
  RepositoryStore,
  UploadSession,
  UploadSessionStore,
  SessionCursor,
  TaggedManifest,
} from '@cargohold/storage-ports';
import { byteCompare } from './bytes';

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((tag, i) => tag === b[i]);
import { copyDocument, copyRecord, copyRepository, copySession, page, repoKey, type MemoryMetadataState } from './memory-state';

// Every method runs synchronously to completion (no await inside), which is what makes each one atomic;
// ManifestStore mutations record their events in that same step, and only when they changed something.

export class MemoryRepositoryStore implements RepositoryStore {
  constructor(private readonly state: MemoryMetadataState) {}

  async create(ref: RepoRef, at: Date, settings: RepositorySettings = DEFAULT_REPOSITORY_SETTINGS): Promise<{ created: boolean; repository: Repository }> {
    const existing = this.state.repositories.get(repoKey(ref));
    if (existing) return { created: false, repository: copyRepository(existing) };
    const repository = { registry: ref.registry, name: ref.name, createdAt: new Date(at.getTime()), settings };
    this.state.repositories.set(repoKey(ref), copyRepository(repository));
    return { created: true, repository: copyRepository(repository) };
  }

  async get(ref: RepoRef): Promise<Repository | undefined> {
    const repository = this.state.repositories.get(repoKey(ref));
    return repository && copyRepository(repository);
  }

  async update(ref: RepoRef, mutate: (current: RepositorySettings) => RepositorySettings): Promise<Repository | undefined> {
    const existing = this.state.repositories.get(repoKey(ref));
    if (!existing) return undefined;
    // mutate works on a copy, so one that edits its argument and then throws leaves the state untouched.
    const updated = copyRepository({ ...existing, settings: mutate(copyDocument(existing.settings)) });
    this.state.repositories.set(repoKey(ref), updated);
    return copyRepository(updated);
  }

  async list(registry: string, p: Page): Promise<string[]> {
    const names = [...this.state.repositories.values()].filter((r) => r.registry === registry).map((r) => r.name);
    return page(names, p);
  }

  async listRecords(registry: string, p: Page): Promise<Repository[]> {
    const names = await this.list(registry, p);
    return names.map((name) => copyRepository(this.state.repositories.get(repoKey({ registry, name })) as Repository));
  }

  async delete(ref: RepoRef): Promise<boolean> {
    const existed = this.state.repositories.delete(repoKey(ref));
    this.state.drop(ref);
    return existed;
  }
}

export class MemoryManifestStore implements ManifestStore {
  constructor(private readonly state: MemoryMetadataState) {}

  async put(
    repo: RepoRef,
    record: ManifestRecord,
    tags: readonly string[],
    events: readonly RegistryEvent[] = [],
    options: ManifestPutOptions = {},
  ): Promise<{ previous: Record<string, Digest> }> {
    const recorded = this.state.outbox.prepare(events);
    // The closure check runs in the same synchronous step as the write: nothing can remove a child or a
    // link in between (invariant 3).
    const existing = this.state.read(repo);
    for (const child of record.children) {
      if (child !== record.digest && !existing?.manifests.has(child)) throw new ManifestClosureError(child, 'manifest');
    }
    for (const blob of record.blobs) {
      if (!existing?.links.has(blob)) throw new ManifestClosureError(blob, 'blob');
    }
    // Immutable tags are checked in the same synchronous step too: of concurrent puts, one wins.
    for (const tag of options.immutableTags ?? []) {
      const current = existing?.tags.get(tag);
      if (current !== undefined && current !== record.digest) throw new TagConflictError(tag, current);
    }
    const data = this.state.write(repo);
    let changed = !data.manifests.has(record.digest);
    if (changed) data.manifests.set(record.digest, copyRecord(record));
    const previous: Record<string, Digest> = {};
    for (const tag of tags) {
      const before = data.tags.get(tag);
      if (before === record.digest) continue;
      if (before !== undefined) previous[tag] = before;
      data.tags.set(tag, record.digest);
      changed = true;
    }
    if (changed) this.state.outbox.record(recorded);
    return { previous };
  }

  async get(repo: RepoRef, digest: Digest): Promise<ManifestRecord | undefined> {
    const record = this.state.read(repo)?.manifests.get(digest);
    return record && copyRecord(record);
  }

  async list(repo: RepoRef, p: Page): Promise<ManifestRecord[]> {
    const data = this.state.read(repo);
    if (!data) return [];
    return page(data.manifests.keys(), p).map((digest) => copyRecord(data.manifests.get(digest as Digest) as ManifestRecord));
  }

  async listWithTags(repo: RepoRef, p: Page): Promise<TaggedManifest[]> {
    const records = await this.list(repo, p);
    return Promise.all(records.map(async (record) => ({ record: summaryOf(record), tags: await this.tagsOf(repo, record.digest) })));
  }

  async resolveTag(repo: RepoRef, tag: string): Promise<Digest | undefined> {
    return this.state.read(repo)?.tags.get(tag);
  }

  async listTags(repo: RepoRef, p: Page): Promise<string[]> {
    return page(this.state.read(repo)?.tags.keys() ?? [], p);
  }

  async tagsOf(repo: RepoRef, digest: Digest): Promise<string[]> {
    const tags = [...(this.state.read(repo)?.tags ?? [])].filter(([, target]) => target === digest).map(([tag]) => tag);
    return tags.sort(byteCompare);
  }

  async deleteTag(repo: RepoRef, tag: string, events: readonly RegistryEvent[] = []): Promise<boolean> {
    const recorded = this.state.outbox.prepare(events);
    const deleted = this.state.read(repo)?.tags.delete(tag) ?? false;
    if (deleted) this.state.outbox.record(recorded);
    return deleted;
  }

  async delete(repo: RepoRef, digest: Digest, events: readonly RegistryEvent[] = [], options: ManifestDeleteOptions = {}): Promise<boolean> {
    const recorded = this.state.outbox.prepare(events);
    const data = this.state.read(repo);
    if (!data?.manifests.has(digest)) return false;
    if (options.expectedTags && !sameTags(await this.tagsOf(repo, digest), options.expectedTags)) return false;
    const parents = [...data.manifests.values()]
      .filter((m) => m.digest !== digest && m.children.includes(digest))
      .map((m) => m.digest)
      .sort(byteCompare);
    if (parents.length > 0) throw new ManifestReferencedError(digest, parents);
    data.manifests.delete(digest);
    for (const [tag, target] of data.tags) if (target === digest) data.tags.delete(tag);
    this.state.outbox.record(recorded);
    return true;
  }

  async referrers(repo: RepoRef, subject: Digest): Promise<ManifestRecord[]> {
    const records = [...(this.state.read(repo)?.manifests.values() ?? [])].filter((m) => m.subject === subject);
    return records.sort((a, b) => byteCompare(a.digest, b.digest)).map(copyRecord);
  }

  async recordPull(repo: RepoRef, digest: Digest, at: Date): Promise<void> {
    const data = this.state.read(repo);
    const record = data?.manifests.get(digest);
    if (!data || !record) return;
    if (record.lastPulledAt && record.lastPulledAt.getTime() >= at.getTime()) return;
    data.manifests.set(digest, { ...record, lastPulledAt: new Date(at.getTime()) });
  }

  async setStorageClass(repo: RepoRef, digest: Digest, storageClass: StorageClass, at: Date): Promise<ManifestRecord | undefined> {
    const data = this.state.read(repo);
    const record = data?.manifests.get(digest);
    if (!data || !record) return undefined;
    if ((record.storageClass ?? 'STANDARD') !== storageClass) {
      const stamp = storageClass === 'ARCHIVE' ? { lastArchivedAt: new Date(at.getTime()) } : { lastActivatedAt: new Date(at.getTime()) };
      data.manifests.set(digest, { ...record, storageClass, ...stamp });
    }
    return copyRecord(data.manifests.get(digest) as ManifestRecord);
  }
}

export class MemoryBlobLinkStore implements BlobLinkStore {
  constructor(private readonly state: MemoryMetadataState) {}

  async link(repo: RepoRef, digest: Digest, size: number, at: Date): Promise<void> {
    const links = this.state.write(repo).links;
    if (!links.has(digest)) links.set(digest, { size, linkedAt: new Date(at.getTime()) });
  }

  async stat(repo: RepoRef, digest: Digest): Promise<Found<{ size: number }>> {
    const link = this.state.read(repo)?.links.get(digest);
    return link === undefined ? { found: false } : { found: true, size: link.size };
  }

  async unlink(repo: RepoRef, digest: Digest): Promise<boolean> {
    const data = this.state.read(repo);
    if (!data?.links.has(digest)) return false;
    const referencedBy = [...data.manifests.values()]
      .filter((m) => m.blobs.includes(digest))
      .map((m) => m.digest)
      .sort(byteCompare);
    if (referencedBy.length > 0) throw new BlobReferencedError(digest, referencedBy);
    return data.links.delete(digest);
  }
}

export class MemoryUploadSessionStore implements UploadSessionStore {
  constructor(private readonly state: MemoryMetadataState) {}

  async create(session: UploadSession): Promise<void> {
    if (this.state.sessions.has(session.id)) throw new Error(`upload session ${session.id} already exists`);
    this.state.sessions.set(session.id, copySession(session));
  }

  async get(id: string): Promise<UploadSession | undefined> {
    const session = this.state.sessions.get(id);
    return session && copySession(session);
  }

  async touch(id: string, at: Date): Promise<void> {
    const session = this.state.sessions.get(id);
    if (session) this.state.sessions.set(id, { ...session, updatedAt: new Date(at.getTime()) });
  }

  async delete(id: string): Promise<boolean> {
    return this.state.sessions.delete(id);
  }

  async listIdle(before: Date, limit: number, after?: SessionCursor): Promise<UploadSession[]> {
    const order = (a: SessionCursor, b: SessionCursor) => a.updatedAt.getTime() - b.updatedAt.getTime() || byteCompare(a.id, b.id);
    const idle = [...this.state.sessions.values()].filter((s) => s.updatedAt.getTime() < before.getTime() && (!after || order(s, after) > 0));
    idle.sort(order);
    return idle.slice(0, Math.max(0, limit)).map(copySession);
  }
}

export class MemoryRegistrySettingsStore implements RegistrySettingsStore {
  constructor(private readonly state: MemoryMetadataState) {}

  async get(registry: string): Promise<RegistrySettings> {
    return copyDocument(this.state.registries.get(registry) ?? DEFAULT_REGISTRY_SETTINGS);
  }

  async update(registry: string, mutate: (current: RegistrySettings) => RegistrySettings): Promise<RegistrySettings> {
    const current = this.state.registries.get(registry) ?? DEFAULT_REGISTRY_SETTINGS;
    const updated = copyDocument(mutate(copyDocument(current)));
    this.state.registries.set(registry, updated);
    return copyDocument(updated);
  }
}
