import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Digest } from '@cargohold/oci';
import { checkStoredBlob } from '@cargohold/registry-core';
import { FsBlobStore, FsLayout } from '@cargohold/storage-fs';
import { openSqliteMetadata, type InventoryEntry } from '@cargohold/storage-sqlite';
import type { Progress } from './progress';

export interface FsckOptions {
  readonly dataDir: string;
  /** Quarantine the corrupt blobs found (into <data-dir>/corrupt/), so that re-pushes heal them. */
  readonly repair: boolean;
  /** Told how far the hashing got (bytes hashed of the total), as blobs are hashed. */
  readonly progress?: Progress;
}

export interface Problem {
  readonly entry: InventoryEntry;
  readonly problem: string;
}

export interface FsckReport {
  readonly blobs: { readonly checked: number; readonly bytes: number; readonly corrupt: readonly { digest: Digest; reason: string }[] };
  readonly manifests: { readonly checked: number; readonly bad: readonly Problem[] };
  readonly links: { readonly checked: number; readonly bad: readonly Problem[] };
  readonly quarantined: readonly Digest[];
}

type Verdict = { ok: true; size: number } | { ok: false; reason: string };

/**
 * `cargohold fsck`: scrubs the embedded store. Every blob under blobs/ is hashed against its name; every
 * manifest record and blob link of the database must name bytes that are present, of the recorded size
 * and good. Read-only unless `repair`: then corrupt blobs are quarantined (a rename into corrupt/), so the
 * server answers BLOB_UNKNOWN for them and a push of the same content publishes good bytes again.
 *
 * Safe beside a running server: it never prepares the blob tree (which would clear tmp/ under in-flight
 * uploads) and only reads the database.
 */
export async function fsck(options: FsckOptions): Promise<FsckReport> {
  const metadataFile = join(options.dataDir, 'metadata.db');
  if (!existsSync(metadataFile)) throw new Error(`no cargohold store at ${options.dataDir} (no metadata.db)`);
  const blobs = new FsBlobStore(new FsLayout(options.dataDir));
  const verdicts = await scrubBlobs(blobs, options.progress);
  const corrupt = [...verdicts].flatMap(([digest, verdict]) => (verdict.ok ? [] : [{ digest, reason: verdict.reason }]));

  const metadata = openSqliteMetadata(metadataFile);
  let manifests: InventoryEntry[];
  let links: InventoryEntry[];
  try {
    manifests = metadata.inventory.manifests();
    links = metadata.inventory.links();
  } finally {
    await metadata.close();
  }

  const quarantined: Digest[] = [];
  if (options.repair) {
    for (const { digest } of corrupt) {
      await blobs.quarantine(digest);
      quarantined.push(digest);
    }
  }
  return {
    blobs: { checked: verdicts.size, bytes: sumOf(verdicts), corrupt },
    manifests: { checked: manifests.length, bad: problemsOf(manifests, verdicts) },
    links: { checked: links.length, bad: problemsOf(links, verdicts) },
    quarantined,
  };
}

async function scrubBlobs(blobs: FsBlobStore, progress: Progress | undefined): Promise<Map<Digest, Verdict>> {
  const digests: Digest[] = [];
  for await (const digest of blobs.list()) digests.push(digest);
  let total = 0;
  if (progress) {
    for (const digest of digests) {
      const stored = await blobs.stat(digest);
      if (stored.found) total += stored.size;
    }
  }
  let hashed = 0;
  const show = (done: number) => progress?.update(hashed, total, `hashing blobs: ${done}/${digests.length}, ${formatBytes(hashed)} of ${formatBytes(total)}`);
  const verdicts = new Map<Digest, Verdict>();
  for (const [index, digest] of digests.entries()) {
    const check = await checkStoredBlob(blobs, digest, (count) => {
      hashed += count;
      show(index);
    });
    // A blob deleted (garbage-collected) since it was listed is no longer the scrub's business.
    if (check.status === 'missing') continue;
    verdicts.set(digest, check.status === 'ok' ? { ok: true, size: check.size } : { ok: false, reason: check.reason });
    show(index + 1);
  }
  return verdicts;
}

/** Records whose bytes are missing, corrupt, or of another size than the one they record. */
function problemsOf(entries: readonly InventoryEntry[], verdicts: ReadonlyMap<Digest, Verdict>): Problem[] {
  const problems: Problem[] = [];
  for (const entry of entries) {
    const verdict = verdicts.get(entry.digest);
    if (!verdict) problems.push({ entry, problem: 'bytes missing' });
    else if (!verdict.ok) problems.push({ entry, problem: `bytes corrupt (${verdict.reason})` });
    else if (verdict.size !== entry.size) problems.push({ entry, problem: `${verdict.size} bytes stored, ${entry.size} recorded` });
  }
  return problems;
}

function sumOf(verdicts: ReadonlyMap<Digest, Verdict>): number {
  let bytes = 0;
  for (const verdict of verdicts.values()) if (verdict.ok) bytes += verdict.size;
  return bytes;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The report the CLI prints, and its exit code: 0 when the store is clean, 1 when problems were found. */
export function describeReport(report: FsckReport, dataDir: string): { code: number; text: string } {
  const lines = [
    `blobs:     ${report.blobs.checked} checked (${formatBytes(report.blobs.bytes)} good), ${report.blobs.corrupt.length} corrupt`,
    `manifests: ${report.manifests.checked} checked, ${report.manifests.bad.length} with bad bytes`,
    `links:     ${report.links.checked} checked, ${report.links.bad.length} with bad bytes`,
  ];
  for (const { digest, reason } of report.blobs.corrupt) lines.push(`corrupt blob ${digest}: ${reason}`);
  for (const { entry, problem } of report.manifests.bad) lines.push(`manifest ${entry.registry}/${entry.repository}@${entry.digest}: ${problem}`);
  for (const { entry, problem } of report.links.bad) lines.push(`link ${entry.registry}/${entry.repository}@${entry.digest}: ${problem}`);
  const problems = report.blobs.corrupt.length + report.manifests.bad.length + report.links.bad.length;
  if (report.quarantined.length > 0) {
    lines.push(
      `repaired: quarantined ${report.quarantined.length} corrupt blob(s) into ${join(dataDir, 'corrupt')}; they read as unknown until pushed again, which heals them`,
    );
  } else if (report.blobs.corrupt.length > 0) {
    lines.push('run again with --repair to quarantine the corrupt blobs, so that pushing them again heals them');
  }
  lines.push(problems === 0 ? 'the store is clean' : `${problems} problem(s) found`);
  return { code: problems === 0 ? 0 : 1, text: `${lines.join('\n')}\n` };
}
