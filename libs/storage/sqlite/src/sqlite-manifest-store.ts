import type Database from 'better-sqlite3';
import type { RegistryEvent } from '@cargohold/events';
import type { Digest } from '@cargohold/oci';
import { ManifestClosureError, ManifestReferencedError, summaryOf, TagConflictError } from '@cargohold/storage-ports';
import type {
  ManifestDeleteOptions,
  ManifestPutOptions,
  ManifestRecord,
  ManifestStore,
  Page,
  RepoRef,
  StorageClass,
  TaggedManifest,
} from '@cargohold/storage-ports';
import { OutboxRecorder } from './sqlite-outbox-store';
import { SqliteReadCache } from './sqlite-read-cache';

interface ManifestRow {
  digest: string;
  media_type: string;
  size: number;
  artifact_type: string | null;
  subject: string | null;
  annotations: string | null;
  config_media_type: string | null;
  image_size_bytes: number;
  pushed_at: number;
  last_pulled_at: number | null;
  storage_class: StorageClass | null;
  last_archived_at: number | null;
  last_activated_at: number | null;
}
type Repo = { registry: string; repository: string };
type Key = Repo & { digest: string };
/** The digests a page spans, first to last: its blobs, children and tags are one range of an index each. */
type Span = Repo & { first: string; last: string };
/**
 * Page reads take rows as arrays (better-sqlite3's raw mode): building an object per row with a dozen
 * named columns cost several times the query itself on a page of 100. Grouped is a per-page range row:
 * the manifest (or digest) it belongs to and one value, in order.
 */
type Grouped<V> = [key: string, value: V];
type RawManifestRow = [
  digest: string,
  media_type: string,
  size: number,
  artifact_type: string | null,
  subject: string | null,
  annotations: string | null,
  config_media_type: string | null,
  image_size_bytes: number,
  pushed_at: number,
  last_pulled_at: number | null,
  storage_class: StorageClass | null,
  last_archived_at: number | null,
  last_activated_at: number | null,
];

const repoOf = (ref: RepoRef): Repo => ({ registry: ref.registry, repository: ref.name });
const IN_REPO = 'registry = @registry AND repository = @repository';
const COLUMNS =
  'digest, media_type, size, artifact_type, subject, annotations, config_media_type, image_size_bytes, pushed_at, last_pulled_at, ' +
  'storage_class, last_archived_at, last_activated_at';

export class SqliteManifestStore implements ManifestStore {
  private readonly select: Database.Statement<[Key], ManifestRow>;
  private readonly manifestPage: Database.Statement<[Repo & { last: string; limit: number }], RawManifestRow>;
  private readonly blobsOf: Database.Statement<[Key], { digest: Digest }>;
  private readonly childrenOf: Database.Statement<[Key], { child: Digest }>;
  private readonly blobsIn: Database.Statement<[Span], Grouped<Digest>>;
  private readonly childrenIn: Database.Statement<[Span], Grouped<Digest>>;
  private readonly tagsIn: Database.Statement<[Span], Grouped<string>>;
  private readonly resolve: Database.Statement<[Repo & { tag: string }], { digest: Digest }>;
  private readonly tagPage: Database.Statement<[Repo & { last: string; limit: number }], { tag: string }>;
  private readonly tagsOfDigest: Database.Statement<[Key], { tag: string }>;
  private readonly referrersOf: Database.Statement<[Repo & { subject: string }], ManifestRow>;
  private readonly pulled: Database.Statement<[Key & { at: number }]>;
  private readonly archived: Database.Statement<[Key & { at: number }]>;
  private readonly activated: Database.Statement<[Key & { at: number }]>;
  private readonly outbox: OutboxRecorder;
  /** A manifest GET by tag: the tag, then the record (its blobs and children are two more queries). */
  private readonly tagCache: SqliteReadCache<Digest | undefined>;
  private readonly recordCache: SqliteReadCache<ManifestRecord | undefined>;
  private readonly putTx: Database.Transaction<
    (repo: Repo, record: ManifestRecord, tags: readonly string[], events: readonly RegistryEvent[], immutable: readonly string[]) => Record<string, Digest>
  >;
  private readonly deleteTagTx: Database.Transaction<(repo: Repo, tag: string, events: readonly RegistryEvent[]) => boolean>;
  private readonly deleteTx: Database.Transaction<(key: Key, events: readonly RegistryEvent[], expectedTags?: readonly string[]) => boolean>;

  constructor(db: Database.Database) {
    this.tagCache = new SqliteReadCache(db, 4096);
    this.recordCache = new SqliteReadCache(db, 1024);
    const where = `${IN_REPO} AND digest = @digest`;
    this.select = db.prepare(`SELECT ${COLUMNS} FROM manifests WHERE ${where}`);
    this.manifestPage = db
      .prepare<[Repo & { last: string; limit: number }], RawManifestRow>(
        `SELECT ${COLUMNS} FROM manifests WHERE ${IN_REPO} AND digest > @last ORDER BY digest LIMIT @limit`,
      )
      .raw(true);
    this.blobsOf = db.prepare(`SELECT digest FROM manifest_blobs WHERE ${IN_REPO} AND manifest = @digest ORDER BY position`);
    this.childrenOf = db.prepare(`SELECT child FROM manifest_children WHERE ${IN_REPO} AND manifest = @digest ORDER BY position`);
    const span = `${IN_REPO} AND manifest BETWEEN @first AND @last`;
    this.blobsIn = db.prepare<[Span], Grouped<Digest>>(`SELECT manifest, digest FROM manifest_blobs WHERE ${span} ORDER BY manifest, position`).raw(true);
    this.childrenIn = db.prepare<[Span], Grouped<Digest>>(`SELECT manifest, child FROM manifest_children WHERE ${span} ORDER BY manifest, position`).raw(true);
    this.tagsIn = db
      .prepare<[Span], Grouped<string>>(`SELECT digest, tag FROM tags WHERE ${IN_REPO} AND digest BETWEEN @first AND @last ORDER BY digest, tag`)
      .raw(true);
    this.resolve = db.prepare(`SELECT digest FROM tags WHERE ${IN_REPO} AND tag = @tag`);
    this.tagPage = db.prepare(`SELECT tag FROM tags WHERE ${IN_REPO} AND tag > @last ORDER BY tag LIMIT @limit`);
    this.tagsOfDigest = db.prepare(`SELECT tag FROM tags WHERE ${where} ORDER BY tag`);
    this.referrersOf = db.prepare(`SELECT ${COLUMNS} FROM manifests WHERE ${IN_REPO} AND subject = @subject ORDER BY digest`);
    // Pulls may be recorded out of order: keep the later time. (SQLite's max() of a NULL is NULL.)
    this.pulled = db.prepare(`UPDATE manifests SET last_pulled_at = max(coalesce(last_pulled_at, @at), @at) WHERE ${where}`);
    // Only a change of class stamps a time: archiving an archived image keeps its lastArchivedAt.
    this.archived = db.prepare(
      `UPDATE manifests SET storage_class = 'ARCHIVE', last_archived_at = @at WHERE ${where} AND coalesce(storage_class, 'STANDARD') <> 'ARCHIVE'`,
    );
    this.activated = db.prepare(`UPDATE manifests SET storage_class = 'STANDARD', last_activated_at = @at WHERE ${where} AND storage_class = 'ARCHIVE'`);

    const insertManifest = db.prepare<[Key & Omit<ManifestRow, 'digest'>]>(
      `INSERT INTO manifests (registry, repository, ${COLUMNS})
       VALUES (@registry, @repository, @digest, @media_type, @size, @artifact_type, @subject, @annotations,
               @config_media_type, @image_size_bytes, @pushed_at, @last_pulled_at,
               @storage_class, @last_archived_at, @last_activated_at)
       ON CONFLICT DO NOTHING`,
    );
    const insertBlob = db.prepare<[Key & { position: number; blob: string }]>(
      'INSERT INTO manifest_blobs (registry, repository, manifest, position, digest) VALUES (@registry, @repository, @digest, @position, @blob)',
    );
    const insertChild = db.prepare<[Key & { position: number; child: string }]>(
      'INSERT INTO manifest_children (registry, repository, manifest, position, child) VALUES (@registry, @repository, @digest, @position, @child)',
    );
    const upsertTag = db.prepare<[Key & { tag: string }]>(
      `INSERT INTO tags (registry, repository, tag, digest) VALUES (@registry, @repository, @tag, @digest)
       ON CONFLICT DO UPDATE SET digest = excluded.digest`,
    );
    const manifestExists = db.prepare<[Key], { found: 1 }>(`SELECT 1 AS found FROM manifests WHERE ${where}`);
    const linked = db.prepare<[Key], { found: 1 }>(`SELECT 1 AS found FROM blob_links WHERE ${where}`);
    this.outbox = new OutboxRecorder(db);
    // Closure check, record, tags and events in one (IMMEDIATE) transaction: no delete of a child or unlink
    // of a blob can land between the check and the write, readers see every tag at its old or its new
    // digest (invariant 3), and the events exist exactly when the change does.
    this.putTx = db.transaction(
      (repo: Repo, record: ManifestRecord, tags: readonly string[], events: readonly RegistryEvent[], immutable: readonly string[]) => {
        const key = { ...repo, digest: record.digest };
        // Inside the IMMEDIATE transaction, so of concurrent puts onto one immutable tag exactly one wins.
        for (const tag of immutable) {
          const current = this.resolve.get({ ...repo, tag })?.digest;
          if (current !== undefined && current !== record.digest) throw new TagConflictError(tag, current);
        }
        for (const child of record.children) {
          if (child !== record.digest && !manifestExists.get({ ...repo, digest: child })) throw new ManifestClosureError(child, 'manifest');
        }
        for (const blob of record.blobs) {
          if (!linked.get({ ...repo, digest: blob })) throw new ManifestClosureError(blob, 'blob');
        }
        let changed = insertManifest.run({ ...key, ...toRow(record) }).changes > 0;
        if (changed) {
          record.blobs.forEach((blob, position) => insertBlob.run({ ...key, position, blob }));
          record.children.forEach((child, position) => insertChild.run({ ...key, position, child }));
        }
        const previous: Record<string, Digest> = {};
        for (const tag of new Set(tags)) {
          const before = this.resolve.get({ ...repo, tag })?.digest;
          if (before === record.digest) continue;
          upsertTag.run({ ...key, tag });
          if (before !== undefined) previous[tag] = before;
          changed = true;
        }
        if (changed) this.outbox.record(events);
        return previous;
      },
    );

    const removeTag = db.prepare<[Repo & { tag: string }]>(`DELETE FROM tags WHERE ${IN_REPO} AND tag = @tag`);
    this.deleteTagTx = db.transaction((repo: Repo, tag: string, events: readonly RegistryEvent[]) => {
      const deleted = removeTag.run({ ...repo, tag }).changes > 0;
      if (deleted) this.outbox.record(events);
      return deleted;
    });

    const parentsOf = db.prepare<[Key], { manifest: string }>(
      `SELECT DISTINCT manifest FROM manifest_children WHERE ${IN_REPO} AND child = @digest AND manifest <> @digest ORDER BY manifest`,
    );
    const deleteManifest = db.prepare<[Key]>(`DELETE FROM manifests WHERE ${where}`);
    // The reference check, the delete (cascading to tags, blobs, children) and the events commit together.
    this.deleteTx = db.transaction((key: Key, events: readonly RegistryEvent[], expectedTags?: readonly string[]) => {
      if (!manifestExists.get(key)) return false;
      if (expectedTags) {
        const tags = this.tagsOfDigest.all(key).map((row) => row.tag);
        if (tags.length !== expectedTags.length || tags.some((tag, i) => tag !== expectedTags[i])) return false;
      }
      const parents = parentsOf.all(key).map((row) => row.manifest);
      if (parents.length > 0) throw new ManifestReferencedError(key.digest, parents);
      const deleted = deleteManifest.run(key).changes > 0;
      if (deleted) this.outbox.record(events);
      return deleted;
    });
  }

  async put(
    repo: RepoRef,
    record: ManifestRecord,
    tags: readonly string[],
    events: readonly RegistryEvent[] = [],
    options: ManifestPutOptions = {},
  ): Promise<{ previous: Record<string, Digest> }> {
    return { previous: this.putTx.immediate(repoOf(repo), record, tags, this.outbox.prepare(events), options.immutableTags ?? []) };
  }

  async get(repo: RepoRef, digest: Digest): Promise<ManifestRecord | undefined> {
    return this.recordCache.read(repo.registry, repo.name, digest, this.loadRecord);
  }

  // The caches' loads, made once: a closure per read would cost every cached read an allocation.
  private readonly loadRecord = (registry: string, repository: string, digest: string): ManifestRecord | undefined => {
    const key = { registry, repository, digest };
    const row = this.select.get(key);
    return row && this.hydrate(key, row);
  };
  private readonly loadTag = (registry: string, repository: string, tag: string): Digest | undefined => this.resolve.get({ registry, repository, tag })?.digest;

  async list(repo: RepoRef, page: Page): Promise<ManifestRecord[]> {
    return this.page(repoOf(repo), page);
  }

  async listWithTags(repo: RepoRef, page: Page): Promise<TaggedManifest[]> {
    const r = repoOf(repo);
    const rows = this.rowsOf(r, page);
    const span = spanOf(r, rows);
    if (!span) return [];
    const tags = groupBy(this.tagsIn.all(span));
    return rows.map((row) => ({ record: summaryOf(toRecord(row, [], [])), tags: tags.get(row.digest) ?? [] }));
  }

  async resolveTag(repo: RepoRef, tag: string): Promise<Digest | undefined> {
    return this.tagCache.read(repo.registry, repo.name, tag, this.loadTag);
  }

  async listTags(repo: RepoRef, page: Page): Promise<string[]> {
    const rows = this.tagPage.all({ ...repoOf(repo), last: page.last ?? '', limit: Math.max(0, page.limit) });
    return rows.map((row) => row.tag);
  }

  async tagsOf(repo: RepoRef, digest: Digest): Promise<string[]> {
    return this.tagsOfDigest.all({ ...repoOf(repo), digest }).map((row) => row.tag);
  }

  async deleteTag(repo: RepoRef, tag: string, events: readonly RegistryEvent[] = []): Promise<boolean> {
    return this.deleteTagTx.immediate(repoOf(repo), tag, this.outbox.prepare(events));
  }

  async delete(repo: RepoRef, digest: Digest, events: readonly RegistryEvent[] = [], options: ManifestDeleteOptions = {}): Promise<boolean> {
    return this.deleteTx.immediate({ ...repoOf(repo), digest }, this.outbox.prepare(events), options.expectedTags);
  }

  async referrers(repo: RepoRef, subject: Digest): Promise<ManifestRecord[]> {
    const r = repoOf(repo);
    return this.referrersOf.all({ ...r, subject }).map((row) => this.hydrate({ ...r, digest: row.digest }, row));
  }

  async recordPull(repo: RepoRef, digest: Digest, at: Date): Promise<void> {
    this.pulled.run({ ...repoOf(repo), digest, at: at.getTime() });
  }

  async setStorageClass(repo: RepoRef, digest: Digest, storageClass: StorageClass, at: Date): Promise<ManifestRecord | undefined> {
    (storageClass === 'ARCHIVE' ? this.archived : this.activated).run({ ...repoOf(repo), digest, at: at.getTime() });
    return this.get(repo, digest);
  }

  /** A page of records, their blobs and children read in one range query each (not two per record). */
  private page(r: Repo, page: Page): ManifestRecord[] {
    const rows = this.rowsOf(r, page);
    const span = spanOf(r, rows);
    if (!span) return [];
    const blobs = groupBy(this.blobsIn.all(span));
    const children = groupBy(this.childrenIn.all(span));
    return rows.map((row) => toRecord(row, blobs.get(row.digest) ?? [], children.get(row.digest) ?? []));
  }

  private rowsOf(r: Repo, page: Page): ManifestRow[] {
    return this.manifestPage.all({ ...r, last: page.last ?? '', limit: Math.max(0, page.limit) }).map(rowOf);
  }

  private hydrate(key: Key, row: ManifestRow): ManifestRecord {
    return toRecord(
      row,
      this.blobsOf.all(key).map((b) => b.digest),
      this.childrenOf.all(key).map((c) => c.child),
    );
  }
}

function rowOf([
  digest,
  media_type,
  size,
  artifact_type,
  subject,
  annotations,
  config_media_type,
  image_size_bytes,
  pushed_at,
  last_pulled_at,
  storage_class,
  last_archived_at,
  last_activated_at,
]: RawManifestRow): ManifestRow {
  return {
    digest,
    media_type,
    size,
    artifact_type,
    subject,
    annotations,
    config_media_type,
    image_size_bytes,
    pushed_at,
    last_pulled_at,
    storage_class,
    last_archived_at,
    last_activated_at,
  };
}

function toRecord(row: ManifestRow, blobs: Digest[], children: Digest[]): ManifestRecord {
  return {
    digest: row.digest as Digest,
    mediaType: row.media_type,
    size: row.size,
    ...(row.artifact_type !== null && { artifactType: row.artifact_type }),
    ...(row.subject !== null && { subject: row.subject as Digest }),
    ...(row.annotations !== null && { annotations: JSON.parse(row.annotations) as Record<string, string> }),
    blobs,
    children,
    ...(row.config_media_type !== null && { configMediaType: row.config_media_type }),
    imageSizeBytes: row.image_size_bytes,
    pushedAt: new Date(row.pushed_at),
    ...(row.last_pulled_at !== null && { lastPulledAt: new Date(row.last_pulled_at) }),
    ...(row.storage_class !== null && { storageClass: row.storage_class }),
    ...(row.last_archived_at !== null && { lastArchivedAt: new Date(row.last_archived_at) }),
    ...(row.last_activated_at !== null && { lastActivatedAt: new Date(row.last_activated_at) }),
  };
}

/** The range of digests a page spans (pages are in digest order), or undefined for an empty page. */
function spanOf(r: Repo, page: readonly { digest: string }[]): Span | undefined {
  const first = page[0]?.digest;
  const last = page.at(-1)?.digest;
  return first === undefined || last === undefined ? undefined : { ...r, first, last };
}

/** Rows ordered by key, grouped: key → values in row order. */
function groupBy<V>(rows: readonly Grouped<V>[]): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const [key, value] of rows) {
    const list = groups.get(key);
    if (list) list.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

function toRow(record: ManifestRecord): Omit<ManifestRow, 'digest'> {
  return {
    media_type: record.mediaType,
    size: record.size,
    artifact_type: record.artifactType ?? null,
    subject: record.subject ?? null,
    annotations: record.annotations === undefined ? null : JSON.stringify(record.annotations),
    config_media_type: record.configMediaType ?? null,
    image_size_bytes: record.imageSizeBytes,
    pushed_at: record.pushedAt.getTime(),
    last_pulled_at: record.lastPulledAt?.getTime() ?? null,
    storage_class: record.storageClass ?? null,
    last_archived_at: record.lastArchivedAt?.getTime() ?? null,
    last_activated_at: record.lastActivatedAt?.getTime() ?? null,
  };
}
