import type {
  LifecycleTargets,
  BlobLinkStore,
  BlobReclaimStore,
  ManifestStore,
  OutboxStore,
  RegistrySettingsStore,
  ReplicationStatusStore,
  RepositoryCreationTemplateStore,
  RepositoryStore,
  ScanStore,
  UploadSessionStore,
  VulnerabilityStore,
} from '@cargohold/storage-ports';
import { openDatabase } from './schema';
import { SqliteBlobLinkStore } from './sqlite-blob-link-store';
import { SqliteGauges } from './sqlite-gauges';
import { SqliteBlobReclaimStore } from './sqlite-blob-reclaim-store';
import { SqliteInventory } from './sqlite-inventory';
import { SqliteManifestStore } from './sqlite-manifest-store';
import { SqliteOutboxStore } from './sqlite-outbox-store';
import { SqliteRegistrySettingsStore } from './sqlite-registry-settings-store';
import { SqliteRepositoryStore } from './sqlite-repository-store';
import { SqliteScanStore } from './sqlite-scan-store';
import { SqliteUploadSessionStore } from './sqlite-upload-session-store';
import { SqliteVulnerabilityStore } from './sqlite-vulnerability-store';
import { SqliteRepositoryCreationTemplateStore } from './sqlite-repository-creation-template-store';
import { SqliteLifecycleTargets } from './sqlite-lifecycle-targets';
import { SqliteReplicationStatusStore } from './sqlite-replication-status-store';
import { requestArrived } from './sqlite-read-cache';
import { WalSync } from './wal-sync';

export { SCHEMA_VERSION } from './schema';
export { SqliteBlobLinkStore } from './sqlite-blob-link-store';
export { SqliteGauges, type StoreGauges } from './sqlite-gauges';
export { SqliteBlobReclaimStore } from './sqlite-blob-reclaim-store';
export { SqliteInventory, type InventoryEntry } from './sqlite-inventory';
export { SqliteManifestStore } from './sqlite-manifest-store';
export { SqliteOutboxStore } from './sqlite-outbox-store';
export { SqliteRegistrySettingsStore } from './sqlite-registry-settings-store';
export { SqliteRepositoryStore } from './sqlite-repository-store';
export { SqliteScanStore } from './sqlite-scan-store';
export { SqliteUploadSessionStore } from './sqlite-upload-session-store';
export { SqliteVulnerabilityStore } from './sqlite-vulnerability-store';
export { SqliteRepositoryCreationTemplateStore } from './sqlite-repository-creation-template-store';
export { SqliteLifecycleTargets } from './sqlite-lifecycle-targets';
export { SqliteReplicationStatusStore } from './sqlite-replication-status-store';
export { DirectoryInUseError, lockDirectory, type DirectoryLock } from './directory-lock';

export interface SqliteMetadata {
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
  readonly sessions: UploadSessionStore;
  readonly registries: RegistrySettingsStore;
  /** Garbage collection's view of who needs a digest, and its pins and claims. */
  readonly reclaim: BlobReclaimStore;
  /** The transactional outbox `manifests` records its events into, in the same transactions. */
  readonly outbox: OutboxStore;
  readonly scans: ScanStore;
  readonly vulnerabilities: VulnerabilityStore;
  /** Every link and manifest record, for a whole-store scrub. */
  readonly inventory: SqliteInventory;
  /** Counts of waiting work, for the metrics endpoint. */
  readonly gauges: SqliteGauges;
  readonly templates: RepositoryCreationTemplateStore;
  readonly lifecycleTargets: LifecycleTargets;
  /** Replication status per (image, destination); its events go into the outbox with it. */
  readonly replications: ReplicationStatusStore;
  /**
   * For a server's transport, before it starts the requests that arrived since its last call: the read
   * caches then look for other processes' commits once per call instead of on every read
   * (sqlite-read-cache.ts), and still see every commit acknowledged before those requests arrived.
   */
  requestArrived(): void;
  /** Closes the database; idempotent. */
  close(): Promise<void>;
}

export interface SqliteMetadataOptions {
  /**
   * Told once when a commit could not be made durable (its WAL fsync failed): every later upload session
   * fails from then on, and the process should stop (see WalSync). Default: nothing beyond the failures.
   */
  readonly onDurabilityLost?: (error: unknown) => void;
}

/**
 * The metadata ports over one SQLite file (created and migrated on open; WAL, synchronous=FULL). One
 * process should own the file: it is the single writer the design assumes.
 */
export function openSqliteMetadata(file: string, options: SqliteMetadataOptions = {}): SqliteMetadata {
  const db = openDatabase(file);
  const wal = new WalSync(db, options.onDurabilityLost);
  return {
    repositories: new SqliteRepositoryStore(db),
    manifests: new SqliteManifestStore(db),
    links: new SqliteBlobLinkStore(db),
    sessions: new SqliteUploadSessionStore(db, wal),
    registries: new SqliteRegistrySettingsStore(db),
    reclaim: new SqliteBlobReclaimStore(db),
    outbox: new SqliteOutboxStore(db),
    scans: new SqliteScanStore(db),
    vulnerabilities: new SqliteVulnerabilityStore(db),
    inventory: new SqliteInventory(db),
    gauges: new SqliteGauges(db),
    templates: new SqliteRepositoryCreationTemplateStore(db),
    lifecycleTargets: new SqliteLifecycleTargets(db),
    replications: new SqliteReplicationStatusStore(db),
    requestArrived: () => requestArrived(db),
    close: async () => {
      if (db.open) db.close();
      await wal.close();
    },
  };
}
