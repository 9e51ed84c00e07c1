import { sweepAll, type Registry } from '@cargohold/registry-core';
import type { LifecycleTargets, RepoRef } from '@cargohold/storage-ports';
import type { Logger } from 'pino';

export const DEFAULT_SWEEP_INTERVAL_SECONDS = 24 * 60 * 60;
export const DEFAULT_SWEEP_AFTER_PUT_SECONDS = 60;

export interface LifecycleTimerOptions {
  readonly intervalSeconds: number;
  readonly afterPutSeconds: number;
  /** Told how each repository's sweep went (the metrics): what it acted on, or undefined when it failed. */
  readonly observe?: (acted: { expired: number; transitioned: number } | undefined) => void;
}

export interface LifecycleTimer {
  /** PutLifecyclePolicy's hook: sweep that repository once, `afterPutSeconds` from now. */
  soon(repo: RepoRef): void;
  stop(): Promise<void>;
}

/**
 * The embedded lifecycle sweeper: every repository with a policy on a fixed interval, and one repository
 * shortly after its policy was put. Runs never overlap (a run still going when the next is due skips it),
 * so one slow repository delays the schedule instead of doubling the work; `stop` waits for a run in flight.
 */
export function startLifecycleTimer(registry: Registry, targets: LifecycleTargets, options: LifecycleTimerOptions, logger: Logger): LifecycleTimer {
  let running: Promise<void> | undefined;
  const pending = new Set<NodeJS.Timeout>();
  const log = (repo: RepoRef, outcome: Parameters<Parameters<typeof sweepAll>[2]>[1]) => {
    const where = { registry: repo.registry, repository: repo.name };
    if ('error' in outcome) {
      options.observe?.(undefined);
      logger.error({ ...where, err: outcome.error }, 'lifecycle sweep failed');
    } else if (outcome.report.evaluated) {
      const { expired, transitioned, skipped } = outcome.report;
      options.observe?.({ expired: expired.length, transitioned: transitioned.length });
      logger.info({ ...where, expired: expired.length, transitioned: transitioned.length, skipped: skipped.length }, 'lifecycle sweep');
    }
  };
  const exclusive = (work: () => Promise<void>) => {
    if (running) return;
    running = work().finally(() => (running = undefined));
  };
  const interval = setInterval(() => exclusive(() => sweepAll(targets, registry.lifecycleSweeper, log)), options.intervalSeconds * 1000);
  interval.unref();
  return {
    soon(repo) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        const sweepOne = async () => {
          try {
            log(repo, { report: await registry.lifecycleSweeper.sweep(repo) });
          } catch (error) {
            log(repo, { error });
          }
        };
        // After a put the user waits for this one: if a run is going, sweep once that run ends.
        void (running ?? Promise.resolve()).then(() => exclusive(sweepOne));
      }, options.afterPutSeconds * 1000);
      timer.unref();
      pending.add(timer);
    },
    async stop() {
      clearInterval(interval);
      for (const timer of pending) clearTimeout(timer);
      await running;
    },
  };
}
