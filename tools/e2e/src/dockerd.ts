import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, terminateOnExit, type RunOptions, type RunResult } from './exec';

/**
 * A private Docker daemon for one test suite. Everything it owns lives under one temp dir:
 *
 *   <tmp>/docker.sock   API socket (DOCKER_HOST)      <tmp>/data/     --data-root (vfs: full copies per layer)
 *   <tmp>/exec/         --exec-root, managed containerd  <tmp>/client/  DOCKER_CONFIG (no stray credentials)
 *   <tmp>/daemon.json   empty --config-file            <tmp>/dockerd.log
 *
 * It never touches /var/lib/docker, /var/run/docker.sock or /etc/docker/daemon.json, makes no iptables
 * rules and no bridge, and uses its own containerd namespaces in case a system containerd is shared.
 * Plain-HTTP registries on 127.0.0.0/8 need no --insecure-registry.
 */

export interface Dockerd {
  /** process.env plus DOCKER_HOST, DOCKER_CONFIG and DOCKER_BUILDKIT=0 for this daemon. */
  env: NodeJS.ProcessEnv;
  docker(args: string[], options?: RunOptions): Promise<RunResult>;
  stop(): Promise<void>;
}

export interface DockerdOptions {
  /** How long to wait for `docker info` to answer. Default 60 s. */
  startTimeoutMs?: number;
}

export async function startDockerd(options: DockerdOptions = {}): Promise<Dockerd> {
  const root = await mkdtemp(join(tmpdir(), 'cargohold-dockerd-'));
  const socket = join(root, 'docker.sock');
  const namespace = `cargohold-e2e-${process.pid}-${Date.now()}`;
  await mkdir(join(root, 'client'));
  await writeFile(join(root, 'daemon.json'), '{}');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DOCKER_HOST: `unix://${socket}`,
    DOCKER_CONFIG: join(root, 'client'),
    DOCKER_BUILDKIT: '0',
    DOCKER_CLI_HINTS: 'false',
  };
  delete env['DOCKER_CONTEXT'];
  delete env['DOCKER_TLS_VERIFY'];
  const args = [
    ...['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'dockerd.pid')],
    ...['-H', `unix://${socket}`, '--config-file', join(root, 'daemon.json')],
    ...['--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs'],
    ...['--containerd-namespace', namespace, '--containerd-plugins-namespace', `${namespace}-plugins`],
  ];
  const log = openSync(join(root, 'dockerd.log'), 'a');
  // Its own process group, so a hung daemon and its containerd can be killed together.
  const daemon = spawn('dockerd', args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const release = terminateOnExit(daemon);
  const exited = new Promise<void>((resolve) => {
    daemon.once('exit', () => resolve());
    daemon.once('error', () => resolve()); // could not start: reported by waitUntilReady
  });
  const docker = (dockerArgs: string[], runOptions: RunOptions = {}) => run('docker', dockerArgs, { timeoutMs: 180_000, ...runOptions, env });
  const stop = once(async () => {
    await terminate(daemon, exited);
    release();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  });
  try {
    await waitUntilReady(docker, exited, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    const logTail = await readFile(join(root, 'dockerd.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(error as Error).message}\n--- dockerd.log (tail) ---\n${logTail.split('\n').slice(-30).join('\n')}`);
  }
  return { env, docker, stop };
}

async function waitUntilReady(docker: Dockerd['docker'], exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true)); // a flag for the poll loop; `exited` only ever resolves
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error('dockerd exited during startup');
    try {
      await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`dockerd did not answer docker info within ${timeoutMs} ms: ${(error as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** SIGTERM (dockerd then stops its containerd), wait up to 30 s, then SIGKILL whatever is left of its group. */
async function terminate(daemon: ChildProcess, exited: Promise<void>): Promise<void> {
  if (daemon.exitCode === null && daemon.signalCode === null) {
    daemon.kill('SIGTERM');
    await Promise.race([exited, delay(30_000)]);
  }
  if (daemon.pid === undefined) return;
  try {
    process.kill(-daemon.pid, 'SIGKILL');
  } catch {
    // the group is already empty: the normal case
  }
  await exited;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | undefined;
  return () => (promise ??= fn());
}
