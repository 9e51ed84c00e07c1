// Scale: does any read grow with the size of the registry? Two registries are generated through the
// metadata ports (scale-seed.mjs): a small one and a big one (one repository with N tags plus M more
// repositories). A real `cargohold serve` over each answers the same queries through the public API:
// manifest GET by tag, tags/list and _catalog pages (first and deep `last=`), and the ECR list operations
// (SigV4-signed, first page and deep `nextToken`). Per query: median of R sequential requests on one
// keep-alive connection. Also: start-up time (spawn to first answer), RSS after start-up and after the
// queries, SQLite bytes per tag, and blob lookups by digest (unlink of the shared base layer, which 1M
// manifests reference, and garbage collection's reads) in-process on the same files.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort, sleep, spawnTracked, stopChild } from './proc.mjs';
import { http, keepAlive, MANIFEST_ACCEPT } from './registry-http.mjs';
import { BASE_LAYER, BIG_REPO, REGISTRY, repoName, scaleLib, seedSqlite, tagName } from './scale-seed.mjs';
import { CARGOHOLD_MAIN } from './servers.mjs';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const TARGET = 'AmazonEC2ContainerRegistry_V20150921';
const TOKEN_KEY = randomBytes(32);

const rssBytes = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Spawns `cargohold serve` over an existing data dir; resolves once `/v2/` answers, with the time that took. */
export async function startOn(dataDir, nodeArgs = []) {
  const port = await freePort();
  const args = [...nodeArgs, CARGOHOLD_MAIN, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--allow-anonymous'];
  const began = performance.now();
  const child = spawnTracked(process.execPath, args, { cwd: ROOT, env: { ...process.env, CARGOHOLD_TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64') } });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; await sleep(5)) {
    if (child.exitCode !== null) throw new Error(`cargohold exited during startup:\n${child.tail}`);
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`cargohold did not start within 60 s:\n${child.tail}`);
  }
  return { url, pid: child.pid, startupMs: performance.now() - began, stop: () => stopChild(child) };
}

/** ECR JSON 1.1 requests signed once by SigV4 (test/test, the embedded admin) and replayed as they are. */
export async function signedEcr(url, action, body) {
  const { host } = new URL(url);
  const signer = new SignatureV4({
    service: 'ecr',
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    sha256: Hash.bind(null, 'sha256'),
  });
  const payload = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    headers: {
      host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET}.${action}`,
      'content-length': String(Buffer.byteLength(payload)),
    },
    body: payload,
  });
  return { url: `${url}/`, method: 'POST', headers: signed.headers, body: Buffer.from(payload) };
}

/** The queries, identical for both registries; deep cursors point ~`tail` items before the end. */
async function queries(server, shape, lib) {
  const v2 = (path, headers = {}) => ({ url: `${server.url}/v2/${path}`, method: 'GET', headers });
  const tokens = (operation) => lib.pageTokens(TOKEN_KEY, operation);
  const repoScope = `${REGISTRY}/${BIG_REPO}?ANY`;
  const deepTag = tagName(shape.tags - shape.tail);
  const deepRepo = repoName(shape.repositories - shape.tail);
  const repository = { repositoryName: BIG_REPO };
  return [
    ['manifest GET by tag', v2(`${BIG_REPO}/manifests/${tagName(shape.sampleTag)}`, { accept: MANIFEST_ACCEPT })],
    ['tags/list, first page of 100', v2(`${BIG_REPO}/tags/list?n=100`)],
    ['tags/list, deep page of 100 (last=)', v2(`${BIG_REPO}/tags/list?n=100&last=${deepTag}`)],
    ['tags/list, deep page of 1000 (last=)', v2(`${BIG_REPO}/tags/list?n=1000&last=${tagName(shape.tags - 1100)}`)],
    ['_catalog, first page of 100', v2('_catalog?n=100')],
    ['_catalog, deep page of 100 (last=)', v2(`_catalog?n=100&last=${deepRepo}`)],
    ['ECR ListImages, first page of 100', await signedEcr(server.url, 'ListImages', { ...repository, maxResults: 100 })],
    [
      'ECR ListImages, deep page of 100 (nextToken)',
      await signedEcr(server.url, 'ListImages', { ...repository, maxResults: 100, nextToken: tokens('ListImages').seal(repoScope, shape.deepDigest) }),
    ],
    ['ECR ListImages, first page of 1000', await signedEcr(server.url, 'ListImages', { ...repository, maxResults: 1000 })],
    ['ECR DescribeImages, first page of 100', await signedEcr(server.url, 'DescribeImages', { ...repository, maxResults: 100 })],
    [
      'ECR DescribeImages, deep page of 100 (nextToken)',
      await signedEcr(server.url, 'DescribeImages', { ...repository, maxResults: 100, nextToken: tokens('DescribeImages').seal(repoScope, shape.deepDigest) }),
    ],
    ['ECR DescribeRepositories, first page of 100', await signedEcr(server.url, 'DescribeRepositories', { maxResults: 100 })],
    [
      'ECR DescribeRepositories, deep page of 100 (nextToken)',
      await signedEcr(server.url, 'DescribeRepositories', { maxResults: 100, nextToken: tokens('DescribeRepositories').seal(REGISTRY, deepRepo) }),
    ],
  ];
}

/** Median latency of `count` sequential requests (after `warmup`), in ms; any non-2xx fails the run. */
async function timeRequest(name, request, { count, warmup }, agent) {
  const times = [];
  let items;
  for (let i = 0; i < warmup + count; i++) {
    const began = performance.now();
    const response = await http(request.url, { method: request.method, headers: request.headers, body: request.body, agent });
    const ms = performance.now() - began;
    if (response.status >= 300) throw new Error(`${name}: HTTP ${response.status} ${response.body.toString().slice(0, 300)}`);
    if (i >= warmup) times.push(ms);
    if (i === 0) items = itemCount(response.body);
  }
  return { ms: median(times), items };
}

/** How many entries a listing answered (tags, repositories, imageIds, imageDetails), to show pages were full. */
function itemCount(body) {
  try {
    const value = JSON.parse(body.toString());
    const list = value.tags ?? value.repositories ?? value.imageIds ?? value.imageDetails;
    return Array.isArray(list) ? list.length : undefined;
  } catch {
    return undefined;
  }
}

/** One server over `dataDir`: start-up, RSS, every query. */
async function measureServer(dataDir, shape, lib, requests, log) {
  const server = await startOn(dataDir);
  try {
    await sleep(1000);
    const rssStart = rssBytes(server.pid);
    const agent = keepAlive(1);
    const results = {};
    for (const [name, request] of await queries(server, shape, lib)) results[name] = await timeRequest(name, request, requests, agent);
    const rssAfter = rssBytes(server.pid);
    agent.destroy();
    log(`    started in ${server.startupMs.toFixed(0)} ms, RSS ${(rssStart / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB`);
    return { startupMs: server.startupMs, rssStart, rssAfter, queries: results };
  } finally {
    await server.stop();
  }
}

/** Blob lookups by digest on the base layer every manifest references, in-process on the seeded file. */
async function blobLookups(lib, dataDir, runs) {
  const db = lib.openDatabase(join(dataDir, 'metadata.db'));
  try {
    const linkStore = new lib.SqliteBlobLinkStore(db);
    const reclaim = new lib.SqliteBlobReclaimStore(db);
    const big = { registry: REGISTRY, name: BIG_REPO };
    const time = async (fn) => {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const began = performance.now();
        await fn();
        times.push(performance.now() - began);
      }
      return median(times);
    };
    const refused = async () => {
      const outcome = await linkStore.unlink(big, BASE_LAYER).catch((error) => error);
      if (outcome?.constructor?.name !== 'BlobReferencedError') throw new Error(`unlink of the base layer answered ${outcome}`);
    };
    // GC walks every repository's link to the digest, each with its "does a manifest here list it" check.
    let links = 0;
    const everyLink = async () => {
      links = 0;
      for await (const link of reclaim.linksOf(BASE_LAYER)) if (link.referenced) links++;
    };
    return {
      unlinkRefusedMs: await time(refused),
      linksOfPerLinkMs: (await time(everyLink)) / links,
      links,
      recordedMs: await time(() => reclaim.recorded(BASE_LAYER)),
      plans: explainPlans(db),
    };
  } finally {
    db.close();
  }
}

/** EXPLAIN QUERY PLAN of the statements the deep pages and the by-digest lookups run. */
function explainPlans(db) {
  const plan = (sql, params) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(params)
      .map((row) => row.detail)
      .join('; ');
  const repo = { registry: REGISTRY, repository: BIG_REPO, last: 'v', limit: 101, digest: BASE_LAYER };
  return {
    tagPage: plan('SELECT tag FROM tags WHERE registry = @registry AND repository = @repository AND tag > @last ORDER BY tag LIMIT @limit', repo),
    manifestPage: plan(
      'SELECT digest FROM manifests WHERE registry = @registry AND repository = @repository AND digest > @last ORDER BY digest LIMIT @limit',
      repo,
    ),
    catalogPage: plan('SELECT name FROM repositories WHERE registry = @registry AND name > @last ORDER BY name LIMIT @limit', repo),
    unlinkCheck: plan(
      'SELECT DISTINCT manifest FROM manifest_blobs WHERE digest = @digest AND registry = @registry AND repository = @repository ORDER BY manifest LIMIT 10',
      repo,
    ),
  };
}

/**
 * Generates a registry under `tmp`, or, with `reuse` (a dir holding `small/` and `big/` generated by an
 * earlier run of this generator), takes it as it is: its sizes are read from it.
 */
async function seed(lib, tmp, name, tags, repositories, log, reuse) {
  const dataDir = reuse ? join(reuse, name) : join(tmp, `scale-${name}`);
  const began = performance.now();
  let dbBytes;
  if (reuse) {
    const db = lib.openDatabase(join(dataDir, 'metadata.db'));
    tags = db.prepare('SELECT count(*) AS n FROM tags WHERE registry = ? AND repository = ?').get(REGISTRY, BIG_REPO).n;
    repositories = db.prepare('SELECT count(*) AS n FROM repositories WHERE registry = ?').get(REGISTRY).n - 1;
    dbBytes = db.prepare('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()').get().bytes;
    db.close();
  } else {
    ({ dbBytes } = await seedSqlite(lib, dataDir, { tags, repositories, sampleTags: new Set([tags - 1]), log }));
  }
  const sampleTag = tags - 1;
  const seedMs = performance.now() - began;
  const db = lib.openDatabase(join(dataDir, 'metadata.db'));
  const tail = 150;
  const deepDigest = db
    .prepare('SELECT digest FROM manifests WHERE registry = ? AND repository = ? ORDER BY digest LIMIT 1 OFFSET ?')
    .get(REGISTRY, BIG_REPO, tags - tail).digest;
  db.close();
  log(
    `  ${name}: ${tags.toLocaleString('en')} tags + ${repositories.toLocaleString('en')} repositories, ${(dbBytes / 2 ** 20).toFixed(0)} MiB, ${(seedMs / 1000).toFixed(0)} s`,
  );
  return { dataDir, dbBytes, seedMs, shape: { tags, repositories, sampleTag, tail, deepDigest } };
}

/**
 * The scale measurement on SQLite: `small` and `big` are { tags, repositories }; each server runs `runs`
 * times, small and big alternating; per query the best median is kept.
 */
export async function scaleRun({ small, big, requests, runs, reuse }, tmp, log) {
  const lib = await scaleLib();
  const registries = {
    small: await seed(lib, tmp, 'small', small.tags, small.repositories, log, reuse),
    big: await seed(lib, tmp, 'big', big.tags, big.repositories, log, reuse),
  };
  const servers = { small: [], big: [] };
  for (let run = 1; run <= runs; run++) {
    for (const name of ['small', 'big']) {
      log(`  ${name} registry, run ${run}: ${requests.count} requests per query`);
      servers[name].push(await measureServer(registries[name].dataDir, registries[name].shape, lib, requests, log));
    }
  }
  const blobs = {};
  for (const name of ['small', 'big']) blobs[name] = await blobLookups(lib, registries[name].dataDir, 51);
  const summary = (name) => ({
    tags: registries[name].shape.tags,
    repositories: registries[name].shape.repositories,
    dbBytes: registries[name].dbBytes,
    bytesPerTag: registries[name].dbBytes / (registries[name].shape.tags + registries[name].shape.repositories),
    seedMs: registries[name].seedMs,
    startupMs: Math.min(...servers[name].map((s) => s.startupMs)),
    rssStart: Math.max(...servers[name].map((s) => s.rssStart)),
    rssAfter: Math.max(...servers[name].map((s) => s.rssAfter)),
    queries: Object.fromEntries(
      Object.keys(servers[name][0].queries).map((query) => [
        query,
        { ms: Math.min(...servers[name].map((s) => s.queries[query].ms)), items: servers[name][0].queries[query].items },
      ]),
    ),
    blobs: blobs[name],
  });
  return { small: summary('small'), big: summary('big'), runs: servers };
}

/** Table rows: each query big vs small (goal within 1.2×), ECR pages vs the OCI page, start-up, RSS, bytes per tag. */
export function scaleRows(result, row) {
  const { small, big } = result;
  const size = (s) => `${s.tags.toLocaleString('en')} tags + ${s.repositories.toLocaleString('en')} repos`;
  const rows = [];
  // Within 1.2× of the small registry's time: ratio (small ÷ big) at least 0.83.
  const within = { op: '>=', value: 0.83 };
  for (const [query, { ms }] of Object.entries(big.queries)) {
    rows.push(
      row({
        name: `${query} at ${size(big)}, median`,
        unit: 'ms',
        better: 'lower',
        digits: 2,
        cargohold: ms,
        reference: small.queries[query].ms,
        referenceName: `${small.tags.toLocaleString('en')} tags`,
        target: within,
      }),
    );
  }
  const oci = big.queries['tags/list, first page of 100'].ms;
  for (const query of ['ECR ListImages, first page of 100', 'ECR DescribeImages, first page of 100', 'ECR DescribeRepositories, first page of 100']) {
    rows.push(
      row({
        name: `${query} vs tags/list page of 100, at ${size(big)}`,
        unit: 'ms',
        better: 'lower',
        digits: 2,
        cargohold: big.queries[query].ms,
        reference: oci,
        referenceName: 'tags/list',
        // Within 3× of the OCI page: ratio at least 0.33.
        target: { op: '>=', value: 0.33 },
      }),
    );
  }
  for (const [label, key] of [
    ['unlink of the base layer (refused: 1 manifest is enough)', 'unlinkRefusedMs'],
    ['GC linksOf(base layer), per repository link (each checks the manifests listing it)', 'linksOfPerLinkMs'],
    ['GC recorded(base layer)', 'recordedMs'],
  ]) {
    rows.push(
      row({
        name: `${label}, ${big.tags.toLocaleString('en')} manifests list it, median`,
        unit: 'ms',
        better: 'lower',
        digits: 3,
        cargohold: big.blobs[key],
        reference: small.blobs[key],
        referenceName: `${small.tags.toLocaleString('en')} manifests`,
        target: within,
      }),
    );
  }
  rows.push(
    row({
      name: `start-up (spawn to first answer) at ${size(big)}, best`,
      unit: 's',
      better: 'lower',
      digits: 2,
      cargohold: big.startupMs / 1000,
      reference: small.startupMs / 1000,
      referenceName: `${small.tags.toLocaleString('en')} tags`,
      target: { op: '<', value: 2 },
      absolute: true,
    }),
  );
  for (const [label, key] of [
    ['RSS after start-up', 'rssStart'],
    ['RSS after the queries', 'rssAfter'],
  ]) {
    rows.push(
      row({
        name: `${label} at ${size(big)}, worst`,
        unit: 'MiB',
        better: 'lower',
        digits: 0,
        cargohold: big[key] / 2 ** 20,
        reference: small[key] / 2 ** 20,
        referenceName: `${small.tags.toLocaleString('en')} tags`,
        target: within,
      }),
    );
  }
  rows.push(
    row({
      name: `SQLite bytes per image (${(big.dbBytes / 2 ** 20).toFixed(0)} MiB for ${size(big)})`,
      unit: 'B',
      better: 'lower',
      digits: 0,
      cargohold: big.bytesPerTag,
      reference: small.bytesPerTag,
      referenceName: `${small.tags.toLocaleString('en')} tags`,
    }),
  );
  return rows;
}
