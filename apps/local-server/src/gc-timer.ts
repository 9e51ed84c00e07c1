import { DEFAULT_GC_GRACE_MS, runGarbageCollection, type GcReport, type Registry } from '@cargohold/registry-core';
import type { Logger } from 'pino';
import type { ConfigFile } from './config';
import type { LocalStorage } from './deps.local';

const DEFAULT_INTERVAL_SECONDS = 3600;

/**
 * The in-process collector of `cargohold serve` (embedded backend): a pass every gc.intervalSeconds,
 * never two at once. Returns the stop function; undefined when turned off (intervalSeconds 0).
 */
export function startGcTimer(
  registry: Registry,
  local: LocalStorage,
  config: ConfigFile,
  logger: Logger,
  /** Told how each pass went (the metrics): its report, or undefined when it failed. */
  observe?: (report: GcReport | undefined) => void,
): (() => Promise<void>) | undefined {
  const intervalSeconds = config.gc?.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  if (intervalSeconds === 0) return undefined;
  const graceMs = config.gc?.graceSeconds !== undefined ? config.gc.graceSeconds * 1000 : DEFAULT_GC_GRACE_MS;
  if (graceMs <= registry.limits.uploadIdleTimeoutMs) {
    logger.warn(
      { graceMs, uploadIdleTimeoutMs: registry.limits.uploadIdleTimeoutMs },
      'gc grace is not longer than an upload session: safe, but racing pushes may fail and retry',
    );
  }
  const ports = {
    blobs: local.blobs,
    inventory: local.blobs,
    reclaim: local.reclaim,
    links: local.links,
    sessions: { expireIdle: () => registry.uploads.purgeIdle() },
  };
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= runGarbageCollection({ ports }, { graceMs })
      .then((report) => {
        observe?.(report);
        logger.info({ gc: report }, 'garbage collection pass');
      })
      .catch((err: unknown) => {
        observe?.(undefined);
        logger.error({ err }, 'garbage collection failed');
      })
      .finally(() => (running = undefined));
  };
  const timer = setInterval(pass, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
