import { DEFAULT_GC_GRACE_MS, type GcProgress } from '@cargohold/registry-core';
import { loadConfigFile } from './config';
import { collectGarbage, describeGcReport } from './gc';

/** Plain progress lines (not a terminal: a log, a CI job) at most this often. */
const LINE_EVERY_MS = 2_000;

/**
 * `cargohold gc` on the console: one line per blob on stdout, progress on stderr (a rewritten line on a
 * terminal, readline-free `\r` + erase as fsck does; periodic plain lines otherwise), then the summary.
 */
export async function runGcCommand(command: { dataDir: string; dryRun: boolean; graceMs?: number; configFile?: string }): Promise<number> {
  const config = loadConfigFile(command.configFile);
  const graceMs = command.graceMs ?? (config.gc?.graceSeconds !== undefined ? config.gc.graceSeconds * 1000 : DEFAULT_GC_GRACE_MS);
  const terminal = process.stderr.isTTY;
  let lastLine = 0;
  const status = (p: GcProgress) => `scanned ${p.scanned} blobs, ${command.dryRun ? 'would delete' : 'deleted'} ${p.blobsDeleted} (${p.bytesReclaimed} bytes)`;
  const onProgress = (progress: GcProgress) => {
    if (terminal) {
      process.stderr.write(`\r\x1b[2Kcargohold gc: ${status(progress)}`);
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
