#!/usr/bin/env node
// cargohold benchmarks against CNCF distribution (and a bare hash-and-write sink), all on 127.0.0.1.
//   node tools/bench/run.mjs [--quick] [--only skopeo,pull,manifest,monolithic,layers,coldstart,scanner,gateway,lifecycle,sweep,scale,scale-dynamo]
//                            [--targets cargohold,baseline] [--runs N] [--blob-mib N] [--skip-build] [--scale-tags N] [--scale-data DIR]
// Prints a markdown table and writes tools/bench/results/<timestamp>[-quick].json (git-ignored). See README.md.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { coldStart } from './lib/coldstart.mjs';
import { startEmulators } from './lib/emulators.mjs';
import { gatewayRun, RAW_IN_FLIGHT, RAW_PART_SIZE, rawRun } from './lib/gateway.mjs';
import { lifecycleEvaluation } from './lib/lifecycle.mjs';
import { lifecycleSweep } from './lib/lifecycle-sweep.mjs';
import { scaleRows, scaleRun } from './lib/scale.mjs';
import { scaleDynamo, scaleDynamoRows } from './lib/scale-dynamo.mjs';
import { scannerThroughput } from './lib/scanner.mjs';
import { buildRandomImage } from './lib/images.mjs';
import { layerPush } from './lib/layers.mjs';
import { loadTool, manifestLoad } from './lib/manifest-load.mjs';
import { makeBlobFile, monolithicRun } from './lib/monolithic.mjs';
import { runCommand, tempRoot } from './lib/proc.mjs';
import { markdown, row } from './lib/report.mjs';
import { BASELINE_BINARY, CARGOHOLD_MAIN } from './lib/servers.mjs';
import { clientLimitRows, skopeoPush } from './lib/skopeo.mjs';
import { skopeoLocalCopy } from './lib/skopeo-local.mjs';
import { pullSource } from './lib/skopeo-pull.mjs';
import { smallPush, smallPushRows } from './lib/small-push.mjs';
import { concurrencyRows, concurrencyRun } from './lib/concurrency.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES = {
  full: {
    runs: 3,
    bigImage: { count: 4, size: 128 * MiB },
    smallImage: { count: 200, size: 64 * KiB },
    manifest: { seconds: 10, connections: [32, 256], runs: 2 },
    blob: 1024 * MiB,
    layers: { count: 200, size: 64 * KiB, parallel: 4 },
    coldstart: { runs: 10 },
    scanner: { files: 20_000, fileSize: 8 * KiB, runs: 3 },
    gateway: 1024 * MiB,
    lifecycle: { images: 100_000, runs: 5 },
    sweep: { deletions: 10_000 },
    scale: { small: { tags: 2_000, repositories: 100 }, big: { tags: 1_000_000, repositories: 10_000 }, requests: { count: 200, warmup: 20 }, runs: 2 },
    scaleDynamo: { tags: 20_000, repositories: 1_000 },
    small: { count: 200, size: 64 * KiB },
    concurrency: { clients: 32, layers: 4, layerBytes: 64 * KiB, rounds: 2 },
  },
  quick: {
    runs: 1,
    bigImage: { count: 2, size: 1 * MiB },
    smallImage: { count: 10, size: 64 * KiB },
    manifest: { seconds: 2, connections: [8, 64], runs: 1 },
    blob: 8 * MiB,
    layers: { count: 20, size: 64 * KiB, parallel: 4 },
    coldstart: { runs: 3 },
    scanner: { files: 500, fileSize: 4 * KiB, runs: 1 },
    gateway: 16 * MiB,
    lifecycle: { images: 100_000, runs: 2 },
    sweep: { deletions: 1_000 },
    scale: { small: { tags: 2_000, repositories: 100 }, big: { tags: 20_000, repositories: 1_000 }, requests: { count: 30, warmup: 5 }, runs: 1 },
    scaleDynamo: { tags: 2_000, repositories: 200 },
    small: { count: 10, size: 64 * KiB },
    concurrency: { clients: 4, layers: 2, layerBytes: 64 * KiB, rounds: 1 },
  },
};
const MEASUREMENTS = [
  'skopeo',
  'pull',
  'manifest',
  'monolithic',
  'layers',
  'coldstart',
  'scanner',
  'gateway',
  'lifecycle',
  'sweep',
  'scale',
  'scale-dynamo',
  'small',
  'concurrency',
];
/** Measurements that need no server (and so no build and no baseline binary). */
const SERVERLESS_ONLY = new Set(['coldstart', 'scanner', 'lifecycle', 'sweep', 'scale-dynamo']);

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: MEASUREMENTS.join(',') },
    targets: { type: 'string', default: 'cargohold,baseline' },
    runs: { type: 'string' },
    'blob-mib': { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    'scale-tags': { type: 'string' },
    'scale-data': { type: 'string' },
  },
});
const sizes = { ...SIZES[opts.quick ? 'quick' : 'full'] };
if (opts['scale-data']) sizes.scale = { ...sizes.scale, reuse: opts['scale-data'] };
if (opts['scale-tags']) sizes.scale = { ...sizes.scale, big: { ...sizes.scale.big, tags: Number(opts['scale-tags']) } };
if (opts['blob-mib']) sizes.blob = sizes.gateway = Number(opts['blob-mib']) * MiB;
const runs = opts.runs ? Number(opts.runs) : sizes.runs;
const only = new Set(opts.only.split(','));
const targets = opts.targets.split(',');
const log = (line) => process.stderr.write(`${line}\n`);
const label = (bytes) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results', import.meta.url));

async function prepare() {
  if ([...only].every((m) => SERVERLESS_ONLY.has(m))) return;
  if (targets.includes('baseline') && !existsSync(BASELINE_BINARY)) throw new Error(`${BASELINE_BINARY} not found (apt-get install docker-registry)`);
  if (!targets.includes('cargohold')) return;
  if (!opts['skip-build']) {
    log('building cargohold: npx nx run local-server:build');
    const build = await runCommand('npx', ['nx', 'run', 'local-server:build', '--outputStyle=static'], { timeoutMs: 5 * 60_000 });
    if (build.code !== 0) throw new Error(`local-server:build failed; benchmark the baseline alone with --targets baseline\n${build.output}`);
  }
  if (!existsSync(CARGOHOLD_MAIN)) throw new Error(`${CARGOHOLD_MAIN} missing`);
}

/** Runs `fn(kind, run)` for every target, alternating targets within each run to spread machine noise. */
async function eachRun(count, fn) {
  const results = Object.fromEntries(targets.map((kind) => [kind, []]));
  for (let run = 1; run <= count; run++) {
    for (const kind of targets) results[kind].push(await fn(kind, run));
  }
  return results;
}

/** Each image is built once per bench run and shared by the push and pull measurements. */
const images = new Map();
function image(tmp, key, spec) {
  if (!images.has(key)) {
    log(`building the OCI layout of ${spec.count} × ${label(spec.size)} layers`);
    images.set(key, buildRandomImage(join(tmp, key), { ...spec, tag: key.toLowerCase() }));
  }
  return images.get(key);
}
const IMAGES = ['bigImage', 'smallImage'];
/** Goals against skopeo's local copy (issue 16): push of big layers, push of small layers, pull. */
const LOCAL_GOALS = { push: { bigImage: 0.95, smallImage: 0.6 }, pull: 0.9 };

const best = (list, key, pick = Math.max) => (list?.length ? pick(...list.map((r) => (key ? r[key] : r))) : undefined);

async function measure(tmp) {
  const raw = {};
  const rows = [];
  if (only.has('skopeo')) {
    for (const key of IMAGES) {
      const spec = sizes[key];
      const name = `skopeo push ${spec.count} × ${label(spec.size)} layers, best of ${runs}`;
      const built = await image(tmp, key, spec);
      // The local copy runs inside the same loop, so each run's pair meets the same machine load.
      raw[key] = { ...Object.fromEntries(targets.map((kind) => [kind, []])), local: [], null: [] };
      for (let run = 1; run <= runs; run++) {
        for (const kind of targets) raw[key][kind].push(await skopeoPush(kind, tmp, built, run, log));
        raw[key].local.push(...(await skopeoLocalCopy(built, 1, log)));
        raw[key].null.push(await skopeoPush('null', tmp, built, run, log));
      }
      rows.push(
        row({
          name,
          unit: 's',
          better: 'lower',
          digits: 2,
          cargohold: best(raw[key].cargohold, null, Math.min),
          reference: best(raw[key].baseline, null, Math.min),
          target: { op: '>=', value: 2 },
        }),
      );
      if (targets.includes('cargohold'))
        rows.push(...clientLimitRows(raw[key], `skopeo push ${spec.count} × ${label(spec.size)} layers`, runs, LOCAL_GOALS.push[key]));
    }
  }
  if (only.has('pull') && targets.includes('cargohold')) {
    for (const key of IMAGES) {
      const spec = sizes[key];
      const built = await image(tmp, key, spec);
      log(`skopeo pull ${spec.count} × ${label(spec.size)} layers vs local copy`);
      const source = await pullSource('cargohold', tmp, built, log);
      raw[`pull-${key}`] = { cargohold: [], local: [] };
      try {
        for (let run = 1; run <= runs; run++) {
          raw[`pull-${key}`].cargohold.push(await source.pull());
          raw[`pull-${key}`].local.push(...(await skopeoLocalCopy(built, 1, log)));
        }
      } finally {
        await source.stop();
      }
      rows.push(
        row({
          name: `skopeo pull ${spec.count} × ${label(spec.size)} layers to an OCI layout vs skopeo's local OCI copy, best of ${runs}`,
          unit: 's',
          better: 'lower',
          digits: 2,
          cargohold: best(raw[`pull-${key}`].cargohold, null, Math.min),
          reference: best(raw[`pull-${key}`].local, null, Math.min),
          referenceName: 'local copy',
          target: { op: '>=', value: LOCAL_GOALS.pull },
        }),
      );
    }
  }
  if (only.has('small')) {
    log(`skopeo push ${sizes.small.count} × ${label(sizes.small.size)} vs a local copy: building the OCI layout`);
    const image = await buildRandomImage(join(tmp, 'small'), { ...sizes.small, tag: 'small' });
    raw.small = await smallPush(tmp, image, targets, runs, log);
    rows.push(...smallPushRows(raw.small, sizes.small, runs));
  }
  if (only.has('concurrency')) {
    const { clients } = sizes.concurrency;
    log(`concurrency: ${clients} pushers + ${clients} pullers at once, then one of each alone`);
    raw.concurrency = await eachRun(runs, (kind, run) => concurrencyRun(kind, tmp, sizes.concurrency, run, log));
    rows.push(...concurrencyRows(raw.concurrency, sizes.concurrency));
  }
  if (only.has('manifest')) {
    const { seconds, runs: loadRuns } = sizes.manifest;
    raw.manifest = {};
    const p99 = (list) => (list?.length ? Math.min(...list.map((r) => r.latency_us?.p99 ?? NaN)) / 1000 : undefined);
    for (const connections of sizes.manifest.connections) {
      // cargohold-token: the same server without --allow-anonymous, each GET carrying an ECR token (the path clients take).
      const kinds = [...targets, ...(targets.includes('cargohold') && loadTool() === 'wrk' ? ['cargohold-token'] : []), 'bare'];
      log(`manifest GET by tag: ${connections} connections × ${seconds} s (${loadTool()}), against ${kinds.join(', ')}`);
      const m = Object.fromEntries(kinds.map((kind) => [kind, []]));
      for (let run = 1; run <= loadRuns; run++) {
        for (const kind of Object.keys(m)) m[kind].push(await manifestLoad(kind, tmp, { seconds, connections }, log));
      }
      raw.manifest[connections] = m;
      const name = `manifest GET by tag, keep-alive, ${connections} conns × ${seconds} s, best of ${loadRuns}`;
      const rps = { unit: 'req/s', digits: 0, cargohold: best(m.cargohold, 'rps') };
      if (m.baseline) rows.push(row({ ...rps, name, reference: best(m.baseline, 'rps'), target: { op: '>=', value: 1.5 } }));
      rows.push(
        row({
          ...rps,
          name: `${name}, vs bare Node (fixed 1 KiB)`,
          reference: best(m.bare, 'rps'),
          referenceName: 'bare Node',
          target: { op: '>=', value: 0.7 },
        }),
      );
      rows.push(
        row({
          name: `manifest GET p99 latency, ${connections} conns, best of ${loadRuns}`,
          unit: 'ms',
          better: 'lower',
          digits: 2,
          cargohold: p99(m.cargohold),
          reference: p99(m.bare),
          referenceName: 'bare Node',
        }),
      );
      if (m['cargohold-token']) {
        const token = m['cargohold-token'];
        rows.push(
          row({
            ...rps,
            name: `${name}, with an ECR token, vs bare Node (fixed 1 KiB)`,
            cargohold: best(token, 'rps'),
            reference: best(m.bare, 'rps'),
            referenceName: 'bare Node',
            target: { op: '>=', value: 0.7 },
          }),
        );
        const tokenP99 = { unit: 'ms', better: 'lower', digits: 2, reference: p99(m.bare), referenceName: 'bare Node' };
        rows.push(row({ ...tokenP99, name: `manifest GET p99 latency with an ECR token, ${connections} conns, best of ${loadRuns}`, cargohold: p99(token) }));
      }
    }
  }
  if (only.has('monolithic')) {
    log(`monolithic upload: generating ${label(sizes.blob)} of random bytes`);
    const blob = await makeBlobFile(tmp, sizes.blob);
    const kinds = [...targets, 'sink'];
    raw.monolithic = Object.fromEntries(kinds.map((kind) => [kind, []]));
    for (let run = 1; run <= runs; run++) {
      for (const kind of kinds) raw.monolithic[kind].push(await monolithicRun(kind, tmp, blob, run, log));
    }
    const m = raw.monolithic;
    const size = label(sizes.blob);
    rows.push(
      row({
        name: `${size} monolithic upload, best of ${runs}`,
        unit: 'MB/s',
        digits: 0,
        cargohold: best(m.cargohold, 'uploadMBps'),
        reference: best(m.baseline, 'uploadMBps'),
      }),
    );
    rows.push(
      row({
        name: `${size} monolithic upload vs hash+fsync sink`,
        unit: 'MB/s',
        digits: 0,
        cargohold: best(m.cargohold, 'uploadMBps'),
        reference: best(m.sink, 'uploadMBps'),
        referenceName: 'sink',
        target: { op: '>=', value: 0.9 },
      }),
    );
    rows.push(
      row({
        name: `${size} blob GET, best of ${runs}`,
        unit: 'MB/s',
        digits: 0,
        cargohold: best(m.cargohold, 'getMBps'),
        reference: best(m.baseline, 'getMBps'),
      }),
    );
    rows.push(
      row({
        name: `${size} blob GET vs Node fs stream of the same bytes (sink.mjs), best of ${runs}`,
        unit: 'MB/s',
        digits: 0,
        cargohold: best(m.cargohold, 'getMBps'),
        reference: best(m.sink, 'getMBps'),
        referenceName: 'Node fs stream',
        target: { op: '>=', value: 0.9 },
      }),
    );
    const growth = (list) => (list?.length ? Math.max(...list.map((r) => r.rss.growth)) / MiB : undefined);
    rows.push(
      row({
        name: `peak RSS growth during ${size} upload, worst of ${runs}`,
        unit: 'MiB',
        better: 'lower',
        digits: 1,
        cargohold: growth(m.cargohold),
        reference: growth(m.baseline),
        target: { op: '<', value: 64 },
        absolute: true,
      }),
    );
  }
  if (only.has('gateway') && targets.includes('cargohold')) {
    const size = label(sizes.gateway);
    log(`upload gateway: generating ${size} of random bytes, starting s3rver and DynamoDB Local`);
    const blob = await makeBlobFile(tmp, sizes.gateway, 'layer.bin');
    const emulators = await startEmulators(tmp);
    raw.gateway = { gateway: [], raw: [] };
    try {
      for (let run = 1; run <= runs; run++) {
        raw.gateway.gateway.push(await gatewayRun(tmp, emulators, blob, run, log));
        raw.gateway.raw.push(await rawRun(emulators, blob, run, log));
      }
    } finally {
      await emulators.stop();
    }
    const g = raw.gateway;
    rows.push(
      row({
        name: `${size} push through the upload gateway (POST, streamed PATCH, PUT) vs raw S3 multipart (${RAW_PART_SIZE / MiB} MiB × ${RAW_IN_FLIGHT}) to s3rver, best of ${runs}`,
        unit: 'MB/s',
        digits: 0,
        cargohold: best(g.gateway, 'MBps'),
        reference: best(g.raw, 'MBps'),
        referenceName: 'raw S3',
        target: { op: '>=', value: 0.8 },
      }),
    );
    rows.push(
      row({
        name: `peak RSS growth of the gateway during a ${size} push, worst of ${runs}`,
        unit: 'MiB',
        better: 'lower',
        digits: 1,
        cargohold: Math.max(...g.gateway.map((r) => r.rss.growth)) / MiB,
        referenceName: null,
        target: { op: '<', value: 64 },
        absolute: true,
      }),
    );
  }
  if (only.has('layers')) {
    const { count, size, parallel } = sizes.layers;
    log(`raw HTTP layer push: ${count} × ${label(size)}, ${parallel} in parallel`);
    raw.layers = await eachRun(runs, (kind, run) => layerPush(kind, tmp, sizes.layers, run, log));
    rows.push(
      row({
        name: `raw HTTP push ${count} × ${label(size)} layers (${parallel} parallel), best of ${runs}`,
        unit: 'layers/s',
        digits: 0,
        cargohold: best(raw.layers.cargohold, 'layersPerSecond'),
        reference: best(raw.layers.baseline, 'layersPerSecond'),
      }),
    );
  }
  if (only.has('coldstart')) {
    const { runs: coldRuns } = sizes.coldstart;
    raw.coldstart = await coldStart(tmp, sizes.coldstart, log);
    const none = { referenceName: null, better: 'lower' };
    rows.push(
      row({
        ...none,
        name: `serverless package --stage dev (bundle + zip, ${raw.coldstart.functions.length} functions)`,
        unit: 's',
        digits: 1,
        cargohold: raw.coldstart.packagingMs / 1000,
      }),
    );
    // Issue 16's goals per function: the zip under 2 MB (10^6 bytes) and the cold `require` under 150 ms.
    for (const fn of raw.coldstart.functions) {
      const bundle = `bundle ${(fn.bundleBytes / 1e6).toFixed(2)} MB`;
      const goal = (value) => ({ target: { op: '<', value }, absolute: true });
      rows.push(row({ ...none, ...goal(2), name: `${fn.name}: zip (${bundle})`, unit: 'MB', digits: 2, cargohold: fn.zipBytes / 1e6 }));
      rows.push(
        row({
          ...none,
          ...goal(150),
          name: `${fn.name}: require in a fresh node (init), median of ${coldRuns}`,
          unit: 'ms',
          digits: 0,
          cargohold: fn.requireMs,
        }),
      );
      rows.push(row({ ...none, name: `${fn.name}: CPU time of that require (all threads)`, unit: 'ms', digits: 0, cargohold: fn.requireCpuMs }));
      rows.push(row({ ...none, name: `${fn.name}: require without --enable-source-maps`, unit: 'ms', digits: 0, cargohold: fn.requireNoMapsMs }));
      rows.push(row({ ...none, name: `${fn.name}: fresh node + require + exit, median of ${coldRuns}`, unit: 'ms', digits: 0, cargohold: fn.processMs }));
    }
  }
  if (only.has('scanner')) {
    raw.scanner = await scannerThroughput(tmp, sizes.scanner, log);
    const { compressedBytes, files } = raw.scanner;
    rows.push(
      row({
        name: `scanner over one gzip layer (${(compressedBytes / 1e6).toFixed(0)} MB, ${files} files), MB/s of compressed layer`,
        unit: 'MB/s',
        digits: 0,
        cargohold: raw.scanner.scanMBps,
        reference: raw.scanner.gunzipMBps,
        referenceName: 'plain gunzip',
      }),
    );
  }
  if (only.has('lifecycle')) {
    raw.lifecycle = await lifecycleEvaluation(sizes.lifecycle, log);
    const { images, rules, decisions, evaluateMs, sortMs } = raw.lifecycle;
    rows.push(
      row({
        name: `lifecycle policy evaluation, ${images.toLocaleString('en')} images × ${rules} rules (${decisions.toLocaleString('en')} decisions), best of ${sizes.lifecycle.runs}`,
        unit: 'ms',
        better: 'lower',
        digits: 0,
        cargohold: evaluateMs,
        reference: sortMs,
        referenceName: 'sort by pushedAt',
        target: { op: '<', value: 1000 },
        absolute: true,
      }),
    );
  }
  if (only.has('sweep')) {
    raw.sweep = await lifecycleSweep(sizes.sweep, tmp, log);
    const { deletions, sqliteMs, dynamoMs } = raw.sweep;
    const own = { referenceName: null, better: 'lower', unit: 's', digits: 1 };
    const name = (backend) => `lifecycle sweep expiring ${deletions.toLocaleString('en')} images (${backend})`;
    rows.push(row({ ...own, name: name('SQLite'), cargohold: sqliteMs / 1000 }));
    rows.push(row({ ...own, name: name('DynamoDB Local'), cargohold: dynamoMs / 1000 }));
  }
  if (only.has('scale') && targets.includes('cargohold')) {
    raw.scale = await scaleRun({ ...sizes.scale, ...(opts.runs && { runs }) }, tmp, log);
    rows.push(...scaleRows(raw.scale, row));
  }
  if (only.has('scale-dynamo')) {
    raw.scaleDynamo = await scaleDynamo(sizes.scaleDynamo, tmp, log);
    rows.push(...scaleDynamoRows(raw.scaleDynamo, row));
  }
  return { raw, rows };
}

function versions() {
  const version = (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  return { node: process.version, skopeo: version('skopeo', ['--version']), baseline: version(BASELINE_BINARY, ['--version']), loadTool: loadTool() };
}

const started = new Date();
const startedAt = performance.now();
try {
  await prepare();
  const tmp = tempRoot();
  log(`bench (${opts.quick ? 'quick' : 'full'}): targets ${targets.join(', ')}; temp ${tmp}`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: loadavg(), ...versions() };
  const { raw, rows } = await measure(tmp);
  const seconds = (performance.now() - startedAt) / 1000;
  const table = markdown(rows);
  process.stdout.write(
    `\n${table}\n\n${opts.quick ? 'quick (tiny sizes) — ' : ''}total ${seconds.toFixed(0)} s, load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}\n`,
  );
  await mkdir(RESULTS, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = join(RESULTS, `${stamp}${opts.quick ? '-quick' : ''}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ startedAt: started.toISOString(), seconds, quick: opts.quick, runs, sizes, targets, machine, rows, raw }, null, 2)}\n`,
  );
  log(`results: ${file.slice(ROOT.length)}`);
} catch (error) {
  log(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
}
