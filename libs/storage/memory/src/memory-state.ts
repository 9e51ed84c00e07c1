import type { Digest } from '@cargohold/oci';
import type { ManifestRecord, Page, RegistrySettings, RepoRef, Repository, RepositorySettings, UploadSession } from '@cargohold/storage-ports';
import { byteCompare } from './bytes';
import { MemoryOutboxState } from './memory-outbox';

/** Everything recorded under one repository; dropping it is the repository delete's cascade. */
export interface RepoData {
  readonly manifests: Map<Digest, ManifestRecord>;
  readonly tags: Map<string, Digest>;
  readonly links: Map<Digest, { size: number; linkedAt: Date }>;
}

/** The shared state of the in-memory metadata stores. Records are copied in and out, never shared. */
export class MemoryMetadataState {
  readonly repositories = new Map<string, Repository>();
  readonly sessions = new Map<string, UploadSession>();
  readonly registries = new Map<string, RegistrySettings>();
  /** Kept when a repository is deleted: its events (and version counter) outlive it. */
  readonly outbox = new MemoryOutboxState();
  /** Garbage collection's pins and claims: digest → owner → until (ms). */
  readonly pins = new Map<Digest, Map<string, number>>();
  readonly claims = new Map<Digest, { owner: string; until: number }>();
  private readonly data = new Map<string, RepoData>();

  /** The repository's data, created on first write. */
  write(ref: RepoRef): RepoData {
    const key = repoKey(ref);
    let data = this.data.get(key);
    if (!data) {
      data = { manifests: new Map(), tags: new Map(), links: new Map() };
      this.data.set(key, data);
    }
    return data;
  }

  /** Every repository's data, with the repository it belongs to. */
  *all(): Iterable<[RepoRef, RepoData]> {
    for (const [key, data] of this.data) {
      const [registry, name] = key.split('\u0000') as [string, string];
      yield [{ registry, name }, data];
    }
  }

  read(ref: RepoRef): RepoData | undefined {
    return this.data.get(repoKey(ref));
  }

  drop(ref: RepoRef): void {
    this.data.delete(repoKey(ref));
    for (const [id, session] of this.sessions) {
      if (session.repo.registry === ref.registry && session.repo.name === ref.name) this.sessions.delete(id);
    }
  }
}

export const repoKey = (ref: RepoRef): string => `${ref.registry}\u0000${ref.name}`;

/** Keyset pagination over byte-ordered keys. */
export function page(keys: Iterable<string>, { last, limit }: Page): string[] {
  const after = [...keys].filter((key) => last === undefined || byteCompare(key, last) > 0);
  return after.sort(byteCompare).slice(0, Math.max(0, limit));
}

const copyDate = (date: Date) => new Date(date.getTime());

export function copyRecord(record: ManifestRecord): ManifestRecord {
  return {
    digest: record.digest,
    mediaType: record.mediaType,
    size: record.size,
    ...(record.artifactType !== undefined && { artifactType: record.artifactType }),
    ...(record.subject !== undefined && { subject: record.subject }),
    ...(record.annotations !== undefined && { annotations: { ...record.annotations } }),
    blobs: [...record.blobs],
    children: [...record.children],
    ...(record.configMediaType !== undefined && { configMediaType: record.configMediaType }),
    imageSizeBytes: record.imageSizeBytes,
    pushedAt: copyDate(record.pushedAt),
    ...(record.lastPulledAt !== undefined && { lastPulledAt: copyDate(record.lastPulledAt) }),
    ...(record.storageClass !== undefined && { storageClass: record.storageClass }),
    ...(record.lastArchivedAt !== undefined && { lastArchivedAt: copyDate(record.lastArchivedAt) }),
    ...(record.lastActivatedAt !== undefined && { lastActivatedAt: copyDate(record.lastActivatedAt) }),
  };
}

export const copyRepository = (repo: Repository): Repository => ({
  ...repo,
  createdAt: copyDate(repo.createdAt),
  settings: copyDocument(repo.settings),
});

/**
 * Settings documents go through JSON, as the durable adapters store them: the copy shares nothing with the
 * caller, and a value JSON cannot carry (a Date, an undefined field) comes back as it would from SQLite.
 */
export function copyDocument<T extends RepositorySettings | RegistrySettings>(document: T): T {
  return JSON.parse(JSON.stringify(document)) as T;
}

export const copySession = (session: UploadSession): UploadSession => ({
  id: session.id,
  repo: { registry: session.repo.registry, name: session.repo.name },
  startedAt: copyDate(session.startedAt),
  updatedAt: copyDate(session.updatedAt),
});
