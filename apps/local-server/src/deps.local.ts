import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFsBlobStorage, type FsBlobStore } from '@cargohold/storage-fs';
import type {
  BlobReclaimStore,
  LifecycleTargets,
  OutboxStore,
  RegistryStorage,
  ReplicationStatusStore,
  RepositoryCreationTemplateStore,
  ScanStore,
  VulnerabilityStore,
} from '@cargohold/storage-ports';
import { lockDirectory, openSqliteMetadata, type SqliteGauges, type SqliteMetadata, type SqliteMetadataOptions } from '@cargohold/storage-sqlite';

/**
 * The embedded adapters, under one data directory:
 *
 *   <data-dir>/
 *     blobs/…          content-addressed bytes (FsBlobStore; layout documented there)
 *     uploads/…        staging areas of uploads in progress (FsBlobUploads)
 *     metadata.db      SQLite (WAL): repositories, manifests, tags, links, upload sessions, registries,
 *                      the event outbox, scan results, the vulnerability database and the
 *                      repository creation templates, replication statuses
 */
export interface LocalStorage extends RegistryStorage {
  readonly blobs: FsBlobStore;
  readonly reclaim: BlobReclaimStore;
  readonly outbox: OutboxStore;
  readonly scans: ScanStore;
  readonly vulnerabilities: VulnerabilityStore;
  readonly templates: RepositoryCreationTemplateStore;
  /** Waiting work (upload sessions, outbox, scans), for `/metrics`. */
  readonly gauges: SqliteGauges;
  readonly lifecycleTargets: LifecycleTargets;
  readonly replications: ReplicationStatusStore;
  /** For the transport, before each batch of arrived requests starts: metadata reads look for other processes' commits once per batch. */
  readonly requestArrived: () => void;
}

/**
 * `soleWriter`: no other process appends to this data directory's uploads (no upload gateway beside it).
 * Such a server keeps upload state in memory, so it holds the directory alone; a front and its upload
 * gateway hold it together. Either way a second server on the directory is refused before it touches it
 * (opening the blob store clears `tmp/`, under the first server's uploads).
 */
export function openLocalStorage(dataDir: string, options: { soleWriter?: boolean } & SqliteMetadataOptions = {}): LocalStorage {
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDirectory(join(dataDir, 'serve.lock'), options.soleWriter ? 'exclusive' : 'shared');
  let files: ReturnType<typeof createFsBlobStorage>;
  let metadata: SqliteMetadata;
  try {
    files = createFsBlobStorage(dataDir, options);
    metadata = openSqliteMetadata(join(dataDir, 'metadata.db'), options);
  } catch (error) {
    lock.release();
    throw error;
  }
  const { blobs, uploads } = files;
  return {
    blobs,
    uploads,
    repositories: metadata.repositories,
    manifests: metadata.manifests,
    links: metadata.links,
    sessions: metadata.sessions,
    registries: metadata.registries,
    reclaim: metadata.reclaim,
    outbox: metadata.outbox,
    scans: metadata.scans,
    vulnerabilities: metadata.vulnerabilities,
    templates: metadata.templates,
    gauges: metadata.gauges,
    lifecycleTargets: metadata.lifecycleTargets,
    replications: metadata.replications,
    requestArrived: metadata.requestArrived,
    close: async () => {
      await metadata.close();
      await files.close();
      lock.release();
    },
  };
}
