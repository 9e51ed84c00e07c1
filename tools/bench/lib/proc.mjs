// Child processes and temp dirs the bench owns, and the cleanup that removes them on every way out:
// normal exit, an uncaught error, Ctrl-C (SIGINT), SIGTERM, SIGHUP.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set();
const tempDirs = new Set();

function cleanupSync() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', cleanupSync);
for (const [signal, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
]) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}: stopping servers and removing temp dirs\n`);
    cleanupSync();
    process.exit(128 + number);
  });
}

/** A temp dir removed at exit (and on signals). */
export function tempRoot(prefix = 'cargohold-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Spawns a long-running child that is killed at exit if still alive. Keeps the tail of its output. */
export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.tail = '';
  const keep = (chunk) => {
    child.tail = (child.tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (error) => {
      children.delete(child);
      child.tail += `\nspawn error: ${error.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Runs a command to completion (bounded by `timeoutMs`); resolves with its exit and output. */
export async function runCommand(command, args, { timeoutMs = 600_000, env } = {}) {
  const started = process.hrtime.bigint();
  const child = spawnTracked(command, args, env ? { env } : {});
  let out = '';
  child.stdout.on('data', (c) => (out = (out + c).slice(-20000)));
  child.stderr.on('data', (c) => (out = (out + c).slice(-20000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  return { code, signal, output: out, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** A port that was free a moment ago (for servers that cannot be told to pick one). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
