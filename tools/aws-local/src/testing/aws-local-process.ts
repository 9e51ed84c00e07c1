import { spawn } from 'node:child_process';
import { closeSync, openSync, renameSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@cargohold/e2e';
import { buildSync } from 'esbuild';
import { repositoryRoot } from '../bundles';
import { supervise } from '../watchdog';

export interface AwsLocalProcess {
  /** The HTTP API: `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, what image references start with. */
  readonly host: string;
  readonly gatewayUrl?: string;
  /** With `replicaRegion`: the other region's HTTP API (`http://127.0.0.1:PORT`). */
  readonly replicaUrl?: string;
  readonly dataDir: string;
  /** The CLI's own output (the functions' and the gateway's logs are under dataDir/logs). */
  readonly logFile: string;
  /** SIGTERM, as Ctrl-C would: resolves once the CLI (and with it every child) has exited. */
  stop(): Promise<void>;
}

export interface StartAwsLocalOptions {
  readonly dataDir: string;
  /** Default true. */
  readonly gateway?: boolean;
  readonly logLevel?: string;
  /** Extra environment for the CLI (e.g. CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS). */
  readonly env?: Readonly<Record<string, string>>;
  /** `--lifecycle-every`: seconds between lifecycle schedule runs (default: daily). */
  readonly lifecycleEverySeconds?: number;
  /** `--replica-region`: another region's stack (table, bucket, HTTP API) beside the us-east-1 one. */
  readonly replicaRegion?: string;
  /** `--gc-every`: seconds between garbage-collection runs (default: daily). */
  readonly gcEverySeconds?: number;
  /** `--gc-grace`: the gc function's GC_GRACE_SECONDS (default 86400). */
  readonly gcGraceSeconds?: number;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * `npm run aws:local` as a user runs it, in a child process on free ports, for e2e suites and the bench:
 * the CLI is built as the `aws-local:build` target builds it (and the `cargohold` CLI the gateway runs, as
 * `local-server:build` does), then started; ready once it prints `Ready.`.
 */
export async function startAwsLocal(options: StartAwsLocalOptions): Promise<AwsLocalProcess> {
  const root = repositoryRoot();
  const gateway = options.gateway ?? true;
  const cli = buildCli(root, 'tools/aws-local/src/main.ts', 'dist/tools/aws-local/main.js', ['esbuild']);
  if (gateway) buildCli(root, 'apps/local-server/src/main.ts', 'dist/apps/local-server/main.js', ['better-sqlite3', 'pino']);
  await mkdir(options.dataDir, { recursive: true });
  const port = await freePort();
  const gatewayPort = await freePort();
  const args = [cli, '--port', String(port), '--data-dir', options.dataDir, '--log-level', options.logLevel ?? 'info'];
  args.push(...(gateway ? ['--gateway-port', String(gatewayPort)] : ['--no-gateway']));
  if (options.lifecycleEverySeconds !== undefined) args.push('--lifecycle-every', String(options.lifecycleEverySeconds));
  const replicaPort = options.replicaRegion === undefined ? undefined : await freePort();
  if (options.replicaRegion !== undefined) args.push('--replica-region', options.replicaRegion, '--replica-port', String(replicaPort));
  if (options.gcEverySeconds !== undefined) args.push('--gc-every', String(options.gcEverySeconds));
  if (options.gcGraceSeconds !== undefined) args.push('--gc-grace', String(options.gcGraceSeconds));
  const logFile = join(options.dataDir, `aws-local-${port}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', log, log], ...(options.env ? { env: { ...process.env, ...options.env } } : {}) });
  closeSync(log);
  // A jest worker killed on a timeout runs no afterAll: the CLI (and with it everything it runs) stops anyway.
  const { stop } = supervise(child, 30_000);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const output = await readFile(logFile, 'utf8').catch(() => '');
    if (output.includes('\nReady.')) break;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`aws:local did not start (${child.exitCode ?? child.signalCode ?? 'timed out'})\n--- ${logFile} ---\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    ...(gateway ? { gatewayUrl: `http://127.0.0.1:${gatewayPort}` } : {}),
    ...(replicaPort !== undefined ? { replicaUrl: `http://127.0.0.1:${replicaPort}` } : {}),
    dataDir: options.dataDir,
    logFile,
    stop,
  };
}

/**
 * Bundles an entry point where its nx build target puts it: written next to it and renamed into place, so
 * spec files building at once never run a half-written file. Dynamic imports (the emulators) resolve from
 * there, in the repository's node_modules.
 */
function buildCli(root: string, entry: string, outfile: string, external: string[]): string {
  const target = join(root, outfile);
  const partial = `${target}.${process.pid}.partial`;
  buildSync({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    outfile: partial,
    logLevel: 'warning',
  });
  renameSync(partial, target);
  return target;
}
