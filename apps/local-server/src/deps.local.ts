import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFsBlobStorage } from '@cargohold/storage-fs';
import type { RegistryStorage } from '@cargohold/storage-ports';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';

/**
 * The embedded adapters, under one data directory:
 *
 *   <data-dir>/
 *     blobs/…          content-addressed bytes (FsBlobStore; layout documented there)
 *     uploads/…        staging areas of uploads in progress (FsBlobUploads)
 *     metadata.db      SQLite (WAL): repositories, manifests, tags, links, upload sessions, registries
 */
export function openLocalStorage(dataDir: string): RegistryStorage {
  mkdirSync(dataDir, { recursive: true });
  const { blobs, uploads } = createFsBlobStorage(dataDir);
  const metadata = openSqliteMetadata(join(dataDir, 'metadata.db'));
  return {
    blobs,
    uploads,
    repositories: metadata.repositories,
    manifests: metadata.manifests,
    links: metadata.links,
    sessions: metadata.sessions,
    registries: metadata.registries,
    close: () => metadata.close(),
  };
}
