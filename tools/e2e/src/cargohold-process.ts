import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { terminateOnExit } from './exec';
import { freePort, waitForV2 } from './ports';

const ROOT = resolve(__dirname, '../../..');

export interface CargoholdProcess {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** SIGTERM, as a user stops it: in-flight requests drain, then storage closes. */
  stop(): Promise<void>;
}

export interface CargoholdOptions {
  readonly dataDir: string;
  /** Written to a file and passed as `--config` (identities, limits, …). */
  readonly config?: unknown;
  readonly logLevel?: string;
}

let bundled: Promise<string> | undefined;

/**
 * The `cargohold` CLI bundled from its entry point as `npm start` builds it, once per test process: the
 * tools drive the product as a user runs it, never through an app's sources.
 */
export function cargoholdCli(): Promise<string> {
  return (bundled ??= (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'cargohold-e2e-cli-')), 'cargohold.js');
    buildSync({
      entryPoints: [join(ROOT, 'apps/local-server/src/main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['better-sqlite3', 'pino'],
      outfile,
      logLevel: 'warning',
      nodePaths: [join(ROOT, 'node_modules')],
    });
    return outfile;
  })());
}

/** `cargohold serve` in a child process on a free port, ready once `/v2/` answers. */
export async function spawnCargohold(options: CargoholdOptions): Promise<CargoholdProcess> {
  const cli = await cargoholdCli();
  const args = ['serve', '--host', '127.0.0.1', '--data-dir', options.dataDir, '--log-level', options.logLevel ?? 'error'];
  if (options.config !== undefined) {
    const file = join(options.dataDir, 'e2e-config.json');
    await writeFile(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  // The port is chosen before the start (the log that would name it may be silenced): retry if taken.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(cli, [...args, '--port', String(port)], options.dataDir, port);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function launch(cli: string, args: string[], dataDir: string, port: number): Promise<CargoholdProcess> {
  const logFile = join(dataDir, `cargohold-${port}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', log, log],
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
  });
  closeSync(log);
  const release = terminateOnExit(child);
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', () => done());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    // Clients are done by now: do not wait out idle keep-alives.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    release();
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForV2(`${url}/v2/`, exited, 20_000);
  } catch (error) {
    await stop();
    const logTail = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${logTail.slice(-3000)}`);
  }
  return { url, stop };
}
