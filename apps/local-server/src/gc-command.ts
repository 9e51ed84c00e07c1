import { DEFAULT_GC_GRACE_MS, type GcProgress } from '@cargohold/registry-core';
import { loadConfigFile } from './config';
import { collectGarbage, countBlobs, describeGcReport } from './gc';

/** Plain progress lines (not a terminal: a log, a CI job) at most this often. */
const LINE_EVERY_MS = 2_000;
const BAR_WIDTH = 30;
/** A terminal's bar is redrawn at most this often. */
const BAR_EVERY_MS = 100;

/** `[#########.....................]  31%` of `total` (an empty bar while the total is unknown). */
export function progressBar(done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%`;
}

/**
 * `cargohold gc` on the console: one line per blob on stdout, progress on stderr (on a terminal a bar over
 * the blobs counted first, redrawn with `\r` + erase as fsck does, no library needed; periodic plain lines
 * otherwise), then the summary.
 */
export async function runGcCommand(command: { dataDir: string; dryRun: boolean; graceMs?: number; configFile?: string }): Promise<number> {
  const config = loadConfigFile(command.configFile);
  const graceMs = command.graceMs ?? (config.gc?.graceSeconds !== undefined ? config.gc.graceSeconds * 1000 : DEFAULT_GC_GRACE_MS);
  const terminal = process.stderr.isTTY;
  // Only a terminal shows a bar, so only it pays for counting first (a directory walk, no hashing).
  const total = terminal ? await countBlobs(command.dataDir) : 0;
  let lastLine = 0;
  const status = (p: GcProgress) => `scanned ${p.scanned} blobs, ${command.dryRun ? 'would delete' : 'deleted'} ${p.blobsDeleted} (${p.bytesReclaimed} bytes)`;
  const onProgress = (progress: GcProgress) => {
    if (terminal) {
      if (Date.now() - lastLine < BAR_EVERY_MS) return;
      lastLine = Date.now();
      process.stderr.write(`\r\x1b[2Kcargohold gc ${progressBar(progress.scanned, total)} ${status(progress)}`);
    } else if (Date.now() - lastLine >= LINE_EVERY_MS) {
      lastLine = Date.now();
      process.stderr.write(`cargohold gc: ${status(progress)}\n`);
    }
  };
  const clearLine = () => terminal && process.stderr.write('\r\x1b[2K');
  const uploadIdle = config.limits?.uploadIdleTimeoutSeconds;
  const report = await collectGarbage({
    dataDir: command.dataDir,
    dryRun: command.dryRun,
    graceMs,
    ...(uploadIdle ? { uploadIdleTimeoutMs: uploadIdle * 1000 } : {}),
    onBlob: ({ digest, size }) => {
      clearLine();
      process.stdout.write(`${command.dryRun ? 'would delete' : 'deleted'} ${digest} ${size}\n`);
    },
    onProgress,
  });
  clearLine();
  process.stdout.write(describeGcReport(report));
  return 0;
}
