import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry, runGarbageCollection, type GcOptions, type GcReport } from '@cargohold/registry-core';
import { FsBlobStore, FsBlobUploads, FsLayout } from '@cargohold/storage-fs';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';

export interface GcCommandOptions {
  readonly dataDir: string;
  readonly dryRun: boolean;
  readonly graceMs: number;
  /** Upload sessions idle longer than this are expired (the server's limits.uploadIdleTimeoutSeconds). */
  readonly uploadIdleTimeoutMs?: number;
  readonly onBlob?: GcOptions['onBlob'];
  readonly onProgress?: GcOptions['onProgress'];
}

/**
 * `cargohold gc`: one garbage-collection pass over the embedded store (libs/registry-core
 * gc/garbage-collector.ts has the rules and why it is safe beside a running server). Like fsck it never
 * prepares the blob tree (that would clear tmp/ under in-flight uploads); pins, claims and link checks are
 * SQLite transactions, so the server in another process and this pass exclude each other per digest.
 */
export async function collectGarbage(options: GcCommandOptions): Promise<GcReport> {
  const metadataFile = join(options.dataDir, 'metadata.db');
  if (!existsSync(metadataFile)) throw new Error(`no cargohold store at ${options.dataDir} (no metadata.db)`);
  const layout = new FsLayout(options.dataDir);
  const blobs = new FsBlobStore(layout);
  const metadata = openSqliteMetadata(metadataFile);
  try {
    const storage = { ...metadata, blobs, uploads: new FsBlobUploads(layout) };
    const registry = createRegistry({ storage, ...(options.uploadIdleTimeoutMs ? { limits: { uploadIdleTimeoutMs: options.uploadIdleTimeoutMs } } : {}) });
    const ports = { blobs, inventory: blobs, reclaim: metadata.reclaim, links: metadata.links, sessions: { expireIdle: () => registry.uploads.purgeIdle() } };
    return await runGarbageCollection(
      { ports },
      {
        graceMs: options.graceMs,
        dryRun: options.dryRun,
        ...(options.onBlob ? { onBlob: options.onBlob } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
  } finally {
    await metadata.close();
  }
}

/** The summary `cargohold gc` prints after its per-blob lines. */
export function describeGcReport(report: GcReport): string {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  return (
    `${report.dryRun ? 'dry run: ' : ''}scanned ${report.blobsScanned} blobs; ${verb} ${report.blobsDeleted} blobs (${report.bytesReclaimed} bytes), ` +
    `${report.linksRemoved} links; expired ${report.sessionsExpired} upload sessions; aborted ${report.multipartAborted} multipart uploads; ${report.durationMs} ms\n`
  );
}

/** How many blobs the embedded store holds (for a progress bar's total). */
export async function countBlobs(dataDir: string): Promise<number> {
  let count = 0;
  for await (const _digest of new FsBlobStore(new FsLayout(dataDir)).list()) count++;
  return count;
}
