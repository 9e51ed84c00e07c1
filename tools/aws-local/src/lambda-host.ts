import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

/** What an invocation came back with: the handler's result, or the error Lambda would report. */
export type InvokeOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

export interface LambdaFunction {
  readonly name: string;
  /** Invokes the handler once; a timeout answers `{ ok: false, errorType: 'Sandbox.Timedout' }` (the handler keeps running). */
  invoke(event: unknown, timeoutMs: number): Promise<InvokeOutcome>;
  stop(): Promise<void>;
}

export interface LambdaFunctionOptions {
  readonly name: string;
  readonly runtime: string;
  readonly bundle: string;
  readonly exportName: string;
  /** The function's whole environment (nothing of this process's leaks in but PATH and HOME). */
  readonly env: Record<string, string>;
  readonly logFile: string;
}

/**
 * A function in its own Node process, as Lambda gives each function its own environment and module state:
 * handlers read their configuration from process.env at cold start, so two functions must never share one.
 * One process serves concurrent invocations (Lambda would start more instances). Resolves once the bundle
 * is loaded; a failed cold start is reported, and every invocation then fails as Lambda's would.
 */
export async function startLambdaFunction(options: LambdaFunctionOptions): Promise<LambdaFunction & { readonly initError?: string }> {
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = fork(options.runtime, [options.bundle, options.exportName], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    execArgv: [],
    stdio: ['ignore', log, log, 'ipc'],
    serialization: 'advanced',
  });
  closeSync(log);
  const pending = new Map<number, (outcome: InvokeOutcome) => void>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const settle of pending.values()) settle({ ok: false, errorType: 'Runtime.ExitError', errorMessage: `${options.name} exited` });
    pending.clear();
  });
  const initError = await new Promise<string | undefined>((resolve) => {
    child.once('message', (message: { type: string; message?: string }) => resolve(message.type === 'init-error' ? message.message : undefined));
    void exited.then(() => resolve(`${options.name} exited during its cold start (see ${options.logFile})`));
  });
  child.on('message', (message: { type: string; id: number; result?: unknown; error?: { errorType: string; errorMessage: string } }) => {
    if (message.type !== 'result') return;
    const settle = pending.get(message.id);
    pending.delete(message.id);
    settle?.(message.error ? { ok: false, ...message.error } : { ok: true, result: message.result });
  });
  return {
    name: options.name,
    ...(initError !== undefined ? { initError } : {}),
    invoke(event, timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve({ ok: false, errorType: 'Runtime.ExitError', errorMessage: `${options.name} is not running` });
      }
      const id = ++next;
      return new Promise<InvokeOutcome>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` });
        }, timeoutMs);
        pending.set(id, (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        });
        child.send({ id, event, timeoutMs });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
