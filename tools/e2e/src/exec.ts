import { spawn, type ChildProcess } from 'node:child_process';

export interface RunOptions {
  /** Kill the process (SIGKILL) and reject after this long. Default 120 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (e.g. `docker login --password-stdin`). */
  input?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** A client command that exited non-zero, timed out or could not start; the message carries its stderr. */
export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    reason: string,
  ) {
    super(`${command}: ${reason}\n${tail(stderr || stdout)}`);
    this.name = 'CommandFailedError';
  }
}

/** Runs a binary without a shell and collects its output; rejects with CommandFailedError on failure. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [file, ...args].join(' ');
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined); // the child may exit before reading its input
    child.stdin.end(options.input ?? '');
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailedError(command, null, '', '', `could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (code === 0) return resolve({ stdout: out, stderr: err });
      const reason = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(new CommandFailedError(command, code, out, err, reason));
    });
  });
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Safety net for long-lived children (daemons): they no longer keep the test process alive, and if a
 * suite never stops one (say its beforeAll threw halfway), it gets SIGTERM when the test process exits.
 * Returns the function that removes the net once the child was stopped properly.
 */
export function terminateOnExit(child: ChildProcess): () => void {
  const onExit = () => child.kill('SIGTERM');
  child.unref();
  process.once('exit', onExit);
  return () => process.removeListener('exit', onExit);
}
