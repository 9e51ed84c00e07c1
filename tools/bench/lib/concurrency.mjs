// (j) many clients at once: `clients` raw-HTTP clients each pushing distinct images while as many others
// pull seeded ones, on one fresh server; then one pusher alone and one puller alone on the same server,
// for the single-client throughput beside it. An image is `layers` random blobs of `layerBytes` plus a
// config and a manifest; a pull is the manifest GET and every blob GET. Failures: any response that is
// not the expected status (any 5xx among them), and every `SQLITE_BUSY` in the server's output.
import { randomBytes } from 'node:crypto';
import {
  http,
  keepAlive,
  MANIFEST_ACCEPT,
  OCI_CONFIG,
  OCI_LAYER,
  OCI_MANIFEST,
  probeMonolithicMode,
  putManifest,
  sha256,
  uploadBlob,
} from './registry-http.mjs';
import { row } from './report.mjs';
import { withServer } from './servers.mjs';

function makeImage(layers, layerBytes) {
  const blobs = Array.from({ length: layers }, () => randomBytes(layerBytes));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: blobs.map(sha256) } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: blobs.map((blob) => ({ mediaType: OCI_LAYER, digest: sha256(blob), size: blob.length })),
    }),
  );
  return { blobs: [...blobs, config], manifest };
}

/** Counts unexpected answers instead of throwing, so one failure does not hide the others. */
class Tally {
  failures = 0;
  serverErrors = 0;
  samples = [];

  check(response, expected, what) {
    if (response.status === expected) return true;
    this.failures++;
    if (response.status >= 500) this.serverErrors++;
    if (this.samples.length < 5) this.samples.push(`${what}: ${response.status} ${response.body.toString().slice(0, 200)}`);
    return false;
  }

  async guard(what, fn) {
    try {
      return await fn();
    } catch (error) {
      this.failures++;
      if (/: 5\d\d:/.test(error.message) || / got 5\d\d/.test(error.message)) this.serverErrors++;
      if (this.samples.length < 5) this.samples.push(`${what}: ${error.message.slice(0, 200)}`);
      return undefined;
    }
  }
}

async function pushImage(base, repo, tag, image, mode, agent, tally) {
  for (const blob of image.blobs) {
    if ((await tally.guard(`push ${repo}`, () => uploadBlob(base, repo, sha256(blob), blob.length, blob, { mode, agent }))) === undefined) return false;
  }
  return (await tally.guard(`manifest ${repo}`, () => putManifest(base, repo, tag, image.manifest, OCI_MANIFEST, agent))) !== undefined;
}

async function pullImage(base, repo, tag, agent, tally) {
  const manifest = await http(`${base}/v2/${repo}/manifests/${tag}`, { headers: { Accept: MANIFEST_ACCEPT }, agent });
  if (!tally.check(manifest, 200, `GET manifest ${repo}:${tag}`)) return false;
  const { config, layers } = JSON.parse(manifest.body.toString());
  for (const { digest } of [...layers, config]) {
    if (!tally.check(await http(`${base}/v2/${repo}/blobs/${digest}`, { agent, discard: true }), 200, `GET blob ${repo}`)) return false;
  }
  return true;
}

/** `count` clients, each running `work(client)` (one image each); images/s over the slowest client's end. */
async function clients(count, work) {
  const started = performance.now();
  const done = await Promise.all(Array.from({ length: count }, (_, client) => work(client)));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, images: done.filter(Boolean).length, imagesPerSecond: done.filter(Boolean).length / seconds };
}

export async function concurrencyRun(kind, tmp, { clients: count, layers, layerBytes, rounds }, run, log) {
  return withServer(kind, tmp, async (server) => {
    let busy = 0;
    const countBusy = (chunk) => (busy += (chunk.toString().match(/SQLITE_BUSY/g) ?? []).length);
    server.child.stdout?.on('data', countBusy);
    server.child.stderr?.on('data', countBusy);
    const base = server.url;
    const tally = new Tally();
    const seedAgent = keepAlive(8);
    const mode = await probeMonolithicMode(base, seedAgent);
    // Images to pull, pushed beforehand; each puller pulls its own `rounds` times.
    for (let n = 0; n < count; n++) await pushImage(base, `bench/pull-${n}`, 'v1', makeImage(layers, layerBytes), mode, seedAgent, tally);
    seedAgent.destroy();
    const toPush = Array.from({ length: count }, () => Array.from({ length: rounds }, () => makeImage(layers, layerBytes)));
    const agents = Array.from({ length: 2 * count }, () => keepAlive(1));
    const pushers = clients(count, async (n) => {
      for (const [round, image] of toPush[n].entries())
        if (!(await pushImage(base, `bench/push-${run}-${n}`, `r${round}`, image, mode, agents[n], tally))) return false;
      return true;
    });
    const pullers = clients(count, async (n) => {
      for (let round = 0; round < rounds; round++) if (!(await pullImage(base, `bench/pull-${n}`, 'v1', agents[count + n], tally))) return false;
      return true;
    });
    const [push, pull] = await Promise.all([pushers, pullers]);
    // Same work for one client alone (rounds × count images), on the same server.
    const soloAgent = keepAlive(1);
    const soloImages = Array.from({ length: count }, () => makeImage(layers, layerBytes));
    const soloPush = await clients(1, async () => {
      for (const [round, image] of soloImages.entries())
        if (!(await pushImage(base, `bench/solo-${run}`, `r${round}`, image, mode, soloAgent, tally))) return false;
      return true;
    });
    const soloPull = await clients(1, async () => {
      for (let n = 0; n < count; n++) if (!(await pullImage(base, `bench/pull-${n}`, 'v1', soloAgent, tally))) return false;
      return true;
    });
    for (const agent of [...agents, soloAgent]) agent.destroy();
    // Scale each image count to images: `clients` counted clients that finished, each `rounds` images.
    const result = {
      mode,
      pushPerSecond: (push.images * rounds) / push.seconds,
      pullPerSecond: (pull.images * rounds) / pull.seconds,
      soloPushPerSecond: (soloPush.images * count) / soloPush.seconds,
      soloPullPerSecond: (soloPull.images * count) / soloPull.seconds,
      failures: tally.failures,
      serverErrors: tally.serverErrors,
      sqliteBusy: busy,
      samples: tally.samples,
    };
    log(
      `  ${count} pushers + ${count} pullers → ${kind}: push ${result.pushPerSecond.toFixed(1)} images/s, pull ${result.pullPerSecond.toFixed(1)} images/s; ` +
        `one client: push ${result.soloPushPerSecond.toFixed(1)}, pull ${result.soloPullPerSecond.toFixed(1)}; failures ${tally.failures} (5xx ${tally.serverErrors}), SQLITE_BUSY ${busy}` +
        (tally.samples.length ? `\n    ${tally.samples.join('\n    ')}` : ''),
    );
    return result;
  });
}

/** The table rows: best of the runs per figure, the failures summed over all runs. */
export function concurrencyRows(raw, { clients: count }) {
  const best = (kind, key) => (raw[kind]?.length ? Math.max(...raw[kind].map((r) => r[key])) : undefined);
  const rows = [];
  for (const [what, key, solo] of [
    ['push', 'pushPerSecond', 'soloPushPerSecond'],
    ['pull', 'pullPerSecond', 'soloPullPerSecond'],
  ]) {
    const name = `${count} pushers + ${count} pullers at once: ${what} throughput`;
    rows.push(row({ name, unit: 'images/s', digits: 1, cargohold: best('cargohold', key), reference: best('baseline', key) }));
    rows.push(
      row({
        name: `${name} vs one client alone`,
        unit: 'images/s',
        digits: 1,
        cargohold: best('cargohold', key),
        reference: best('cargohold', solo),
        referenceName: '1 client',
      }),
    );
  }
  const failures = (kind) => (raw[kind]?.length ? raw[kind].reduce((sum, r) => sum + r.failures + r.sqliteBusy, 0) : undefined);
  rows.push(
    row({
      name: `${count} + ${count} clients: failed requests (5xx, any unexpected status) + SQLITE_BUSY in the log, all runs`,
      unit: '',
      better: 'lower',
      digits: 0,
      cargohold: failures('cargohold'),
      reference: failures('baseline'),
      target: { op: '<', value: 1 },
      absolute: true,
    }),
  );
  return rows;
}
