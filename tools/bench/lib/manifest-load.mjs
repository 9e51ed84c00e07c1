// (b) manifest GET by tag, requests/s with keep-alive: wrk (wrk-manifest.lua sets the Accept header)
// or, without wrk, load-worker.mjs in its own process. Kind `bare` is bare-server.mjs (a fixed 1 KiB
// body), loaded the same way on the same path: the ceiling of Node's HTTP server on this machine.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCommand } from './proc.mjs';
import { http, keepAlive, MANIFEST_ACCEPT, seedImage } from './registry-http.mjs';
import { withServer } from './servers.mjs';
import { authorizationHeader, authorizingAgent } from './ecr-token.mjs';

const LUA = fileURLToPath(new URL('../wrk-manifest.lua', import.meta.url));
const WORKER = fileURLToPath(new URL('../load-worker.mjs', import.meta.url));

export function loadTool() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 but runs; ENOENT means it is not installed.
    if (error.code === 'ENOENT') return 'node';
  }
  return 'wrk';
}

async function generateLoad(tool, url, { seconds, connections, authorization }) {
  if (authorization && tool !== 'wrk') throw new Error('the token-authenticated manifest load needs wrk');
  const headers = authorization ? ['-H', `Authorization: ${authorization}`] : [];
  const result =
    tool === 'wrk'
      ? await runCommand('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', ...headers, '-s', LUA, url], {
          timeoutMs: (seconds + 30) * 1000,
        })
      : await runCommand(
          process.execPath,
          [WORKER, '--url', url, '--accept', MANIFEST_ACCEPT, '--connections', String(connections), '--seconds', String(seconds)],
          {
            timeoutMs: (seconds + 30) * 1000,
          },
        );
  const line = result.output.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (result.code !== 0 || !line) throw new Error(`${tool} failed (${result.code ?? result.signal}):\n${result.output}`);
  const summary = JSON.parse(line.slice('BENCH_JSON '.length));
  const failed = Object.values(summary.errors).reduce((a, b) => a + b, 0);
  if (failed > 0) throw new Error(`${tool}: ${failed} failed requests: ${JSON.stringify(summary.errors)}`);
  return { rps: summary.requests / (summary.duration_us / 1e6), ...summary };
}

/** Requests/s against a fresh server, after a short warm-up. */
export async function manifestLoad(kind, tmp, { seconds, connections }, log) {
  const tool = loadTool();
  return withServer(kind, tmp, async (server) => {
    const url = `${server.url}/v2/bench/manifest/manifests/latest`;
    const authorization = kind === 'cargohold-token' ? await authorizationHeader(server.url) : undefined;
    if (kind !== 'bare') {
      const agent = authorization ? authorizingAgent(authorization) : keepAlive();
      const manifest = await seedImage(server.url, 'bench/manifest', 'latest', agent);
      const check = await http(url, { headers: { Accept: MANIFEST_ACCEPT }, agent });
      if (check.status !== 200 || !check.body.equals(manifest)) throw new Error(`${kind}: manifest GET returned ${check.status}, not the pushed bytes`);
      agent.destroy();
    }
    await generateLoad(tool, url, { seconds: Math.min(2, seconds), connections, authorization });
    const result = await generateLoad(tool, url, { seconds, connections, authorization });
    const p99 = result.latency_us ? `, p99 ${(result.latency_us.p99 / 1000).toFixed(1)} ms` : '';
    log(`  manifest GET ${kind} (${tool}, ${connections} conns, ${seconds}s): ${result.rps.toFixed(0)} req/s${p99}`);
    return { tool, ...result };
  });
}
