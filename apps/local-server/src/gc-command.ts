import { DEFAULT_GC_GRACE_MS, type GcProgress } from '@cargohold/registry-core';
import { loadConfigFile } from './config';
import { collectGarbage, countBlobs, describeGcReport } from './gc';
import { progressReporter } from './progress';

/**
 * `cargohold gc` on the console: one line per blob on stdout, progress on stderr (progressReporter: on a
 * terminal a bar over the blobs counted first, periodic plain lines otherwise), then the summary.
 */
export async function runGcCommand(command: { dataDir: string; dryRun: boolean; graceMs?: number; configFile?: string }): Promise<number> {
  const config = loadConfigFile(command.configFile);
  const graceMs = command.graceMs ?? (config.gc?.graceSeconds !== undefined ? config.gc.graceSeconds * 1000 : DEFAULT_GC_GRACE_MS);
  const terminal = process.stderr.isTTY;
  // Only a terminal shows a bar, so only it pays for counting first (a directory walk, no hashing).
  const total = terminal ? await countBlobs(command.dataDir) : 0;
  const progress = progressReporter('cargohold gc', process.stderr);
  const status = (p: GcProgress) => `scanned ${p.scanned} blobs, ${command.dryRun ? 'would delete' : 'deleted'} ${p.blobsDeleted} (${p.bytesReclaimed} bytes)`;
  const onProgress = (at: GcProgress) => progress.update(at.scanned, terminal ? total : undefined, status(at));
  const uploadIdle = config.limits?.uploadIdleTimeoutSeconds;
  const report = await collectGarbage({
    dataDir: command.dataDir,
    dryRun: command.dryRun,
    graceMs,
    ...(uploadIdle ? { uploadIdleTimeoutMs: uploadIdle * 1000 } : {}),
    onBlob: ({ digest, size }) => {
      progress.finish();
      process.stdout.write(`${command.dryRun ? 'would delete' : 'deleted'} ${digest} ${size}\n`);
    },
    onProgress,
  });
  progress.finish();
  process.stdout.write(describeGcReport(report));
  return 0;
}
