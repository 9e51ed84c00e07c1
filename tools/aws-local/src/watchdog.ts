import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A detached shell that sends `signal` to `child` once process `parent` is gone, however it went: a
 * parent killed with SIGKILL (a jest worker on a timeout) runs no clean-up, and an orphaned server would
 * keep its port. Returns a function that cancels it (the normal stop path signals the child itself).
 */
export function stopWhenGone(parent: number, child: number, signal: 'TERM' | 'KILL' = 'TERM'): () => void {
  const script = `while kill -0 ${parent} 2>/dev/null; do sleep 1; done; kill -${signal} ${child} 2>/dev/null`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return () => {
    watchdog.kill('SIGKILL');
  };
}

/** A child process this one started: when it has exited, and how to stop it. */
export interface Supervised {
  readonly exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Supervises `child`: it is stopped with this process (stopWhenGone) or by `stop()`, whichever comes
 * first, and never outlives it.
 */
export function supervise(child: ChildProcess, killAfterMs: number): Supervised {
  const cancelWatchdog = child.pid === undefined ? () => undefined : stopWhenGone(process.pid, child.pid);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
      cancelWatchdog();
    },
  };
}
