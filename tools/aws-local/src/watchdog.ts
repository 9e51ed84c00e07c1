import { spawn } from 'node:child_process';

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
