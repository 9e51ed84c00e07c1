import Database from 'better-sqlite3';

/**
 * Metadata schema (SQLite, one writer). Everything is keyed by (registry, repository, …) with registry the
 * opaque `<account>:<region>` key; text compares with BINARY collation, i.e. byte order, which is the
 * order the ports' keyset pagination promises. Dates are epoch milliseconds.
 *
 *   repositories       (registry, name) → created_at, settings (JSON document; '{}' or a missing field
 *                      reads as DEFAULT_REPOSITORY_SETTINGS, so rows from before v2 need no backfill)
 *   manifests          (registry, repository, digest) → media_type, size, artifact_type, subject,
 *                      annotations (JSON), config_media_type, image_size_bytes, pushed_at, last_pulled_at,
 *                      storage_class (NULL = STANDARD), last_archived_at, last_activated_at
 *   ├─ manifest_blobs     (…, manifest, position) → digest     config + layers, in manifest order
 *   ├─ manifest_children  (…, manifest, position) → child      manifests an index lists
 *   └─ tags               (registry, repository, tag) → digest  a tag always names an existing manifest
 *   blob_links         (registry, repository, digest) → size, linked_at
 *   upload_sessions    id → registry, repository, started_at, updated_at
 *   registries         registry → document (JSON RegistrySettings, stored whole; absent = defaults)
 *   outbox             seq (AUTOINCREMENT: never reused, so a stale seq never names a newer entry)
 *                      → registry, repository, version, event (JSON RegistryEvent, version stamped in),
 *                      attempts, last_error, available_at (0 when recorded; lease ends and retry times)
 *   event_versions     (registry, repository) → version       the last version stamped; survives the
 *                      repository's delete and the delivery of its events, so versions only increase
 *   dead_letters       seq → registry, repository, version, event, attempts, error, at
 *   scans              (registry, repository, digest) → status, description, started_at, completed_at,
 *                      source_updated_at, findings (JSON array, in the order given), severity_counts (JSON)
 *   vulnerabilities    id → modified (RFC 3339 text, as the OSV record has it), record (JSON, as given)
 *   └─ vulnerability_packages  (ecosystem, name, id)   the (ecosystem, package) pairs a record names,
 *                              rewritten with it: a lookup is one range of the primary key
 *   vulnerability_meta singleton (1) → updated_at       time of the last import that stored something
 *   repository_creation_templates  (registry, prefix) → document (JSON RepositoryCreationTemplate, whole)
 *   gc_leases          (digest, owner) → kind (pin | claim), until   garbage collection's per-digest exclusion
 *
 * manifest_blobs, manifest_children and tags cascade from their manifest (ON DELETE CASCADE), so deleting a
 * manifest removes its tags in the same statement. Nothing references `repositories` by foreign key: a
 * repository delete removes its rows explicitly, in one transaction. The outbox and scan tables are not part
 * of that cascade: events about a deleted repository are still delivered, and its scans may remain (readers
 * ignore scans of absent images).
 *
 * Migrations: MIGRATIONS[i] moves the schema from user_version i to i + 1; each runs in a transaction.
 * A shipped migration is never edited: it is how existing files got to where they are.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE repositories (
    registry   TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (registry, name)
  ) WITHOUT ROWID;

  CREATE TABLE manifests (
    registry       TEXT NOT NULL,
    repository     TEXT NOT NULL,
    digest         TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size           INTEGER NOT NULL,
    artifact_type  TEXT,
    subject        TEXT,
    annotations    TEXT,
    pushed_at      INTEGER NOT NULL,
    last_pulled_at INTEGER,
    PRIMARY KEY (registry, repository, digest)
  ) WITHOUT ROWID;
  CREATE INDEX manifests_by_subject ON manifests (registry, repository, subject, digest) WHERE subject IS NOT NULL;

  CREATE TABLE manifest_blobs (
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    manifest   TEXT NOT NULL,
    position   INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    PRIMARY KEY (registry, repository, manifest, position),
    FOREIGN KEY (registry, repository, manifest) REFERENCES manifests (registry, repository, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  -- garbage collection asks which manifests, anywhere, still need a blob
  CREATE INDEX manifest_blobs_by_digest ON manifest_blobs (digest);

  CREATE TABLE manifest_children (
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    manifest   TEXT NOT NULL,
    position   INTEGER NOT NULL,
    child      TEXT NOT NULL,
    PRIMARY KEY (registry, repository, manifest, position),
    FOREIGN KEY (registry, repository, manifest) REFERENCES manifests (registry, repository, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX manifest_children_by_child ON manifest_children (registry, repository, child);

  CREATE TABLE tags (
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    tag        TEXT NOT NULL,
    digest     TEXT NOT NULL,
    PRIMARY KEY (registry, repository, tag),
    FOREIGN KEY (registry, repository, digest) REFERENCES manifests (registry, repository, digest) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX tags_by_digest ON tags (registry, repository, digest, tag);

  CREATE TABLE blob_links (
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    digest     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    linked_at  INTEGER NOT NULL,
    PRIMARY KEY (registry, repository, digest)
  ) WITHOUT ROWID;

  CREATE TABLE upload_sessions (
    id         TEXT PRIMARY KEY,
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX upload_sessions_by_idle ON upload_sessions (updated_at, id);
  CREATE INDEX upload_sessions_by_repository ON upload_sessions (registry, repository);
  `,
  // v2: ECR settings. image_size_bytes of manifests pushed before v2 reads as 0 (their layer sizes
  // were not recorded); re-pushing the manifest does not change it, as put keeps an existing record.
  `
  ALTER TABLE repositories ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

  ALTER TABLE manifests ADD COLUMN config_media_type TEXT;
  ALTER TABLE manifests ADD COLUMN image_size_bytes INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE registries (
    registry TEXT PRIMARY KEY,
    document TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // v3: the transactional outbox. ManifestStore mutations write outbox rows in their own transaction.
  `
  CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    registry     TEXT NOT NULL,
    repository   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    event        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    available_at INTEGER NOT NULL
  );

  CREATE TABLE event_versions (
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (registry, repository)
  ) WITHOUT ROWID;

  CREATE TABLE dead_letters (
    seq        INTEGER PRIMARY KEY,
    registry   TEXT NOT NULL,
    repository TEXT NOT NULL,
    version    INTEGER NOT NULL,
    event      TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    error      TEXT NOT NULL,
    at         INTEGER NOT NULL
  );
  CREATE INDEX dead_letters_by_age ON dead_letters (at, seq);
  `,
  // v4: image scanning. Rowid tables where rows are large (findings, OSV records): WITHOUT ROWID suits
  // rows well under a page, and a scan's findings or an advisory can span many pages.
  `
  CREATE TABLE scans (
    registry          TEXT NOT NULL,
    repository        TEXT NOT NULL,
    digest            TEXT NOT NULL,
    status            TEXT NOT NULL,
    description       TEXT,
    started_at        INTEGER NOT NULL,
    completed_at      INTEGER,
    source_updated_at INTEGER,
    findings          TEXT NOT NULL,
    severity_counts   TEXT NOT NULL,
    PRIMARY KEY (registry, repository, digest)
  );

  CREATE TABLE vulnerabilities (
    id       TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    record   TEXT NOT NULL
  );

  CREATE TABLE vulnerability_packages (
    ecosystem TEXT NOT NULL,
    name      TEXT NOT NULL,
    id        TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, id)
  ) WITHOUT ROWID;
  -- replacing a record drops its old index rows
  CREATE INDEX vulnerability_packages_by_id ON vulnerability_packages (id);

  CREATE TABLE vulnerability_meta (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    updated_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE repository_creation_templates (
    registry TEXT NOT NULL,
    prefix   TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (registry, prefix)
  ) WITHOUT ROWID;
  `,
  // Online garbage collection: "who needs this digest" across every repository is an index lookup, and
  // writers (pins) and the collector (claims) exclude each other per digest through gc_leases rows.
  `
  CREATE INDEX blob_links_by_digest ON blob_links (digest);
  CREATE INDEX manifests_by_digest ON manifests (digest);
  CREATE TABLE gc_leases (
    digest TEXT NOT NULL,
    owner  TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('pin', 'claim')),
    until  INTEGER NOT NULL,
    PRIMARY KEY (digest, owner)
  ) WITHOUT ROWID;
  `,
  // Lifecycle: storage classes (NULL reads as STANDARD) and when an image was last archived or restored.
  `
  ALTER TABLE manifests ADD COLUMN storage_class TEXT;
  ALTER TABLE manifests ADD COLUMN last_archived_at INTEGER;
  ALTER TABLE manifests ADD COLUMN last_activated_at INTEGER;
  `,
  `
  CREATE TABLE replication_statuses (
    registry     TEXT NOT NULL,
    repository   TEXT NOT NULL,
    digest       TEXT NOT NULL,
    region       TEXT NOT NULL,
    registry_id  TEXT NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (registry, repository, digest, region, registry_id)
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens (creating if needed) and migrates the database, with the pragmas durability depends on. */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a committed transaction survives power loss, so an acknowledged write is durable (invariant 1).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`metadata database is at schema version ${version}; this build knows up to ${SCHEMA_VERSION}`);
  }
  for (let next = version; next < SCHEMA_VERSION; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next] as string);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
}
