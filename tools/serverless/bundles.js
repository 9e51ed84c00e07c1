'use strict';
// Packaging helpers shared by the package-*.int.spec.ts files and tools/bench (coldstart): run `serverless package`
// offline, read the function zips (a minimal reader: stored/deflated entries, no zip64, which is all
// serverless-esbuild writes), and load a handler bundle in a fresh Node process. Plain CommonJS so that
// the bench's .mjs scripts can import it without a build; types in bundles.d.ts.
const { fork, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve, sep } = require('node:path');
const { inflateRawSync } = require('node:zlib');

const ROOT = resolve(__dirname, '../..');
const SERVERLESS = require.resolve('osls/bin/serverless.js', { paths: [ROOT] });
const RUNNER = join(__dirname, 'load-bundle.js');

/**
 * The environment `serverless package` runs in: fake credentials (the framework never calls AWS while
 * packaging; these only satisfy credential lookups), no telemetry, and no inherited token key or region,
 * so the template does not depend on the caller's shell.
 */
function packagingEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^AWS_|^CARGOHOLD_/.test(name)) delete env[name];
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIAPACKAGINGONLY000',
    AWS_SECRET_ACCESS_KEY: 'packaging-only-not-a-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    ...extra,
  };
}

/**
 * `serverless package --stage <stage> --package <outDir>` in the repository root, with `--param name=value`
 * for each of `params` (they win over the stage's params); rejects on failure.
 * Never run two at once: osls stages every package in <root>/.serverless before moving it to outDir.
 */
function packageService({ stage, outDir, params = {}, timeoutMs = 150_000, env = {} }) {
  const args = [SERVERLESS, 'package', '--stage', stage, '--region', 'us-east-1', '--package', outDir];
  for (const [name, value] of Object.entries(params)) args.push('--param', `${name}=${value}`);
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: packagingEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => (output = (output + chunk).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // A packaging run that never exits (esbuild contexts left alive, serverless-localstack#248) fails here.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) resolvePromise({ ms, output });
      else reject(new Error(`serverless package --stage ${stage} ${signal ? `killed (${signal}) after ${Math.round(ms)} ms` : `exited ${code}`}\n${output}`));
    });
  });
}

/** Every entry of a zip file, by name. */
function readZip(file) {
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const headerOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (compressedSize === 0xffffffff || headerOffset === 0xffffffff) throw new Error(`${file}: zip64 is not supported`);
    const dataStart = headerOffset + 30 + zip.readUInt16LE(headerOffset + 26) + zip.readUInt16LE(headerOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`${file}: ${name}: unsupported compression method ${method}`);
    if (!name.endsWith('/')) entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
  }
  return entries;
}

/** Writes a zip's files under `dir`; returns their names. */
function extractZip(file, dir) {
  const entries = readZip(file);
  const root = resolve(dir);
  for (const [name, bytes] of entries) {
    const target = resolve(root, name);
    if (!target.startsWith(root + sep)) throw new Error(`${file}: entry escapes the target: ${name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return [...entries.keys()];
}

/** `apps/x/src/main.lambda.handler` → the bundle's file and the export Lambda calls. */
function handlerEntry(handler) {
  const dot = handler.lastIndexOf('.');
  return { file: `${handler.slice(0, dot)}.js`, exportName: handler.slice(dot + 1) };
}

/**
 * `require`s a bundle in a fresh Node process (as a Lambda cold start does) and, given an event, invokes
 * its handler once. Resolves with the require time and the handler's result or error.
 */
function loadBundle(file, { exportName = 'handler', event, env = {}, sourceMaps = true, timeoutMs = 30_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = fork(RUNNER, [file, exportName], {
      env: { ...process.env, ...env, CARGOHOLD_INVOKE_EVENT: event === undefined ? '' : JSON.stringify(event) },
      // As serverless.yml runs them (NODE_OPTIONS=--enable-source-maps), unless asked otherwise.
      execArgv: sourceMaps ? ['--enable-source-maps'] : [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk) => (output = (output + chunk).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let result;
    child.on('message', (message) => (result = message));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (result) resolvePromise({ ...result, output });
      else reject(new Error(`loading ${file} failed (exit ${code ?? signal})\n${output}`));
    });
  });
}

/**
 * A complete function environment that never reaches AWS: fake credentials, every endpoint on a closed
 * local port (any AWS call fails at once), a fresh random token key, the LocalStack-style default admin.
 */
function offlineFunctionEnv(extra = {}) {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIABUNDLECHECK00000',
    AWS_SECRET_ACCESS_KEY: 'bundle-check-not-a-secret',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    BUCKET: 'cargohold-bundle-check',
    TABLE: 'cargohold-bundle-check',
    REGISTRY_ACCOUNT_ID: '123456789012',
    TOKEN_KEY_BASE64: randomBytes(32).toString('base64'),
    ALLOW_DEFAULT_IDENTITIES: 'true',
    EVENT_BUS_NAME: 'cargohold-bundle-check',
    WORKER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/cargohold-bundle-check',
    // The lifecycle functions require their sweep queue; the API functions and the replicator take these too.
    SWEEP_QUEUE_URL: 'http://127.0.0.1:9/000000000000/cargohold-bundle-check-sweep',
    REPLICATOR_QUEUE_URL: 'http://127.0.0.1:9/000000000000/cargohold-bundle-check-replicator',
    LOG_LEVEL: 'silent',
    // Lambda runs nodejs24.x, where the SDK has no reason to warn; on this machine's Node 20 it would print
    // a deprecation warning at the first client's construction (~10 ms of a cold start Lambda never pays).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

module.exports = { ROOT, packagingEnv, packageService, readZip, extractZip, handlerEntry, loadBundle, offlineFunctionEnv };
