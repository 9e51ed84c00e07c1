// The servers a measurement runs against, each started fresh (own data dir, own port) on 127.0.0.1:
//   cargohold  node dist/apps/local-server/main.js serve   (the server under test)
//   cargohold-token  the same without --allow-anonymous: /v2/ requests carry an ECR token
//   gateway    --backend aws --role upload-gateway, with a front server that sends uploads to it
//   baseline   /usr/bin/docker-registry serve config.yml   (CNCF distribution 2.8.2, filesystem driver)
//   sink       node tools/bench/sink.mjs                   (hash-and-write floor for monolithic uploads, fs-stream GETs)
//   bare       node tools/bench/bare-server.mjs            (a fixed 1 KiB body: the ceiling for manifest GETs)
//   null       node tools/bench/null-registry.mjs          (answers a push at once, stores nothing: the client's limit over HTTP)
// Every handle has { kind, url, host, pid, stop() }; stop() kills the process and deletes its data.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep, spawnTracked, stopChild } from './proc.mjs';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const CARGOHOLD_MAIN = join(ROOT, 'dist/apps/local-server/main.js');
export const BASELINE_BINARY = '/usr/bin/docker-registry';
const SINK = fileURLToPath(new URL('../sink.mjs', import.meta.url));
const BARE = fileURLToPath(new URL('../bare-server.mjs', import.meta.url));
const NULL_REGISTRY = fileURLToPath(new URL('../null-registry.mjs', import.meta.url));

export function startServer(kind, tmp) {
  if (kind === 'cargohold') return startCargohold(tmp);
  if (kind === 'cargohold-token') return startCargohold(tmp, { anonymous: false });
  if (kind === 'baseline') return startBaseline(tmp);
  if (kind === 'sink') return startSink(tmp);
  if (kind === 'bare') return startBare(tmp);
  if (kind === 'null') return startNull(tmp);
  throw new Error(`unknown server kind ${kind}`);
}

/** Starts a fresh server, runs `fn(server)`, and always stops it and removes its data. */
export async function withServer(kind, tmp, fn) {
  const server = await startServer(kind, tmp);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** `anonymous: false`: `/v2/` needs an ECR token, as outside a benchmark (ecr-token.mjs gets one). */
async function startCargohold(tmp, { anonymous = true } = {}) {
  const dataDir = await mkdtemp(join(tmp, 'cargohold-data-'));
  const port = await freePort();
  // The baseline runs without auth, so cargohold does too (`--allow-anonymous`): same auth mode, as the targets require.
  const args = [CARGOHOLD_MAIN, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...(anonymous ? ['--allow-anonymous'] : [])];
  const child = spawnTracked(process.execPath, args, { cwd: ROOT });
  return ready('cargohold', child, `http://127.0.0.1:${port}`, dataDir);
}

/**
 * The AWS deployment's upload path on one machine, over the emulators of emulators.mjs (blobs and upload
 * staging in S3, sessions in DynamoDB): an upload gateway (`serve --backend aws --role upload-gateway`)
 * and a front standing in for the `/v2/` Lambda (`serve --backend aws --upload-gateway-url …`) whose
 * `POST …/blobs/uploads/` answers a Location on the gateway with a capability. Both share the bucket, the
 * table and a fresh token key. The handle is the gateway's (its pid is what a measurement samples),
 * with `front` the front's URL; stop() stops both.
 */
export async function startGateway(tmp, emulators) {
  // No AWS_* of the bench's own shell (a profile, real credentials): only the emulators' environment.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const env = { ...inherited, ...emulators.env, CARGOHOLD_TOKEN_KEY_BASE64: randomBytes(32).toString('base64') };
  const start = async (kind, extra) => {
    const dataDir = await mkdtemp(join(tmp, `${kind}-data-`));
    const port = await freePort();
    // The gateway runs with Node's flags from its task definition (tools/serverless/resources/upload-gateway.yml).
    const node = kind === 'gateway' ? ['--max-semi-space-size=2'] : [];
    const args = [...node, CARGOHOLD_MAIN, 'serve', '--backend', 'aws', '--bucket', emulators.bucket, '--table', emulators.table, ...extra];
    args.push('--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', '--allow-anonymous');
    const child = spawnTracked(process.execPath, args, { cwd: ROOT, env });
    return ready(kind, child, `http://127.0.0.1:${port}`, dataDir, '/healthz');
  };
  const gateway = await start('gateway', ['--role', 'upload-gateway']);
  try {
    const front = await start('front', ['--upload-gateway-url', gateway.url]);
    return {
      ...gateway,
      front: front.url,
      async stop() {
        await Promise.all([front.stop(), gateway.stop()]);
      },
    };
  } catch (error) {
    await gateway.stop();
    throw error;
  }
}

async function startBaseline(tmp) {
  const dir = await mkdtemp(join(tmp, 'baseline-'));
  const port = await freePort();
  // Same auth mode as cargohold today (anonymous); the inmemory blob-descriptor cache is the stock
  // Debian config; access log off because cargohold at --log-level warn does not log requests either.
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  cache:',
    '    blobdescriptor: inmemory',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: cargohold-bench',
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child = spawnTracked(BASELINE_BINARY, ['serve', join(dir, 'config.yml')]);
  return ready('baseline', child, `http://127.0.0.1:${port}`, dir);
}

async function startSink(tmp) {
  const dir = await mkdtemp(join(tmp, 'sink-'));
  const port = await freePort();
  const child = spawnTracked(process.execPath, [SINK, '--port', String(port), '--dir', dir]);
  return ready('sink', child, `http://127.0.0.1:${port}`, dir, '/health');
}

async function startBare(tmp) {
  const dir = await mkdtemp(join(tmp, 'bare-'));
  const port = await freePort();
  const child = spawnTracked(process.execPath, [BARE, '--port', String(port)]);
  return ready('bare', child, `http://127.0.0.1:${port}`, dir, '/');
}

async function startNull(tmp) {
  const dir = await mkdtemp(join(tmp, 'null-'));
  const port = await freePort();
  const child = spawnTracked(process.execPath, [NULL_REGISTRY, '--port', String(port)]);
  return ready('null', child, `http://127.0.0.1:${port}`, dir);
}

/** Polls until the server answers (any status below 500), bounded by `timeoutMs`. */
async function ready(kind, child, url, dataDir, path = '/v2/', timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${kind} exited during startup:\n${child.tail}`);
    try {
      const response = await fetch(url + path, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${kind} did not answer on ${url} within ${timeoutMs} ms:\n${child.tail}`);
    }
    await sleep(50);
  }
  return {
    kind,
    url,
    host: new URL(url).host,
    pid: child.pid,
    child,
    async stop() {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
