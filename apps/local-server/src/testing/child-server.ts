import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(__dirname, '../../../..');

/** Bundles the real `cargohold` entry point, as `npm start` builds it, into `outDir`. */
export function bundleCli(outDir: string): string {
  const outfile = join(outDir, 'cargohold.js');
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
}

/**
 * Runs `cargohold serve` in a child process and resolves once it logged its URL; `output()` is everything
 * it wrote so far (its JSON log lines and stderr).
 */
export function spawnServer(cli: string, dataDir: string): Promise<{ child: ChildProcess; url: string; output(): string }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir, '--allow-anonymous'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:[^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1] as string, output: () => out });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}
