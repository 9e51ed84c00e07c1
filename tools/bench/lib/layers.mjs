// (d) many small layers pushed by raw HTTP: one monolithic upload per layer, a few in parallel.
import { randomBytes } from 'node:crypto';
import { keepAlive, probeMonolithicMode, sha256, uploadBlob } from './registry-http.mjs';
import { withServer } from './servers.mjs';

export async function layerPush(kind, tmp, { count, size, parallel }, run, log) {
  const layers = Array.from({ length: count }, () => {
    const bytes = randomBytes(size); // fresh content every run: nothing is already stored
    return { bytes, digest: sha256(bytes) };
  });
  return withServer(kind, tmp, async (server) => {
    const agent = keepAlive(parallel);
    const mode = await probeMonolithicMode(server.url, agent);
    const repo = `bench/layers-${run}`;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < layers.length) {
        const layer = layers[next++];
        await uploadBlob(server.url, repo, layer.digest, size, layer.bytes, { mode, agent });
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    const layersPerSecond = count / seconds;
    log(`  ${count} × ${size / 1024} KiB raw push → ${kind} (${mode}, ${parallel} parallel): ${layersPerSecond.toFixed(0)} layers/s`);
    return { mode, seconds, layersPerSecond };
  });
}
