// (c) one big blob, uploaded monolithically (Content-Length set, streamed from a file in the page cache)
// and read back; the server's RSS is sampled from /proc during the upload. The sink (sink.mjs) answers the
// GET from its stored copy with fs.createReadStream, the floor for a blob GET.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { http, keepAlive, probeMonolithicMode, uploadBlob } from './registry-http.mjs';
import { sleep } from './proc.mjs';
import { withServer } from './servers.mjs';

const MB = 1e6;

/** Writes `size` random bytes to `<tmp>/<name>`; returns its digest. */
export async function makeBlobFile(tmp, size, name = 'blob.bin') {
  const path = join(tmp, name);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  const chunk = 4 << 20;
  for (let written = 0; written < size; written += chunk) {
    const bytes = randomBytes(Math.min(chunk, size - written));
    hash.update(bytes);
    await file.write(bytes);
  }
  // On disk before anything is measured: otherwise the kernel writes this file back during the first run.
  await file.sync();
  await file.close();
  return { path, size, digest: `sha256:${hash.digest('hex')}` };
}

function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** Samples a process's RSS every `everyMs` until stopped; returns { idle, peak, samples }. */
export function sampleRss(pid, everyMs = 50) {
  const idle = rssBytes(pid);
  let peak = idle;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
      samples++;
    } catch {
      /* process gone */
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      /* process gone */
    }
    return { idle, peak, growth: peak - idle, samples };
  };
}

/** One upload (and, for registries, a GET of the same blob) against a fresh server. */
export async function monolithicRun(kind, tmp, blob, run, log) {
  return withServer(kind, tmp, async (server) => {
    const agent = keepAlive(1);
    const repo = `bench/big-${run}`;
    const mode = kind === 'sink' ? 'post' : await probeMonolithicMode(server.url, agent);
    await sleep(300); // let startup garbage settle before taking the idle RSS
    const stopSampling = sampleRss(server.pid);
    const started = performance.now();
    const body = () => createReadStream(blob.path, { highWaterMark: 256 << 10 });
    await uploadBlob(server.url, repo, blob.digest, blob.size, body, { mode, agent });
    const uploadSeconds = (performance.now() - started) / 1000;
    const rss = stopSampling();
    const result = { mode, uploadSeconds, uploadMBps: blob.size / MB / uploadSeconds, rss };
    const getStarted = performance.now();
    const response = await http(`${server.url}/v2/${repo}/blobs/${blob.digest}`, { agent, discard: true });
    const getSeconds = (performance.now() - getStarted) / 1000;
    if (response.status !== 200 || response.bytes !== blob.size) throw new Error(`${kind}: blob GET returned ${response.status}, ${response.bytes} bytes`);
    Object.assign(result, { getSeconds, getMBps: blob.size / MB / getSeconds });
    agent.destroy();
    log(
      `  ${(blob.size / 2 ** 20).toFixed(0)} MiB → ${kind} (${mode}): upload ${result.uploadMBps.toFixed(0)} MB/s` +
        (result.getMBps ? `, GET ${result.getMBps.toFixed(0)} MB/s` : '') +
        `, RSS +${(rss.growth / 2 ** 20).toFixed(1)} MiB (idle ${(rss.idle / 2 ** 20).toFixed(0)} MiB)`,
    );
    return result;
  });
}
