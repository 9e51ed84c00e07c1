import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { EMULATOR_ENV, openAwsRegistry, REGISTRY, startProxies, type AwsRegistry, type Emulators, type Proxies } from './aws-registry';
import { spawnCargohold, type CargoholdChild } from './cargohold-child';
import { invariantViolations, Ledger } from './invariants';
import { call, imageManifest, OCI_MANIFEST, pushMonolithic, putManifest, sha256, type Answer } from './registry-client';
import { FaultSchedule, faultSeed } from './schedule';

/*
 * `cargohold serve --backend aws` killed with SIGKILL between its DynamoDB write and its S3 commit, in
 * both orders: the proxy holds the chosen request (before the store sees it, or after the store did it
 * but before the server hears so), the test kills the server, and then checks through a registry over
 * the stores directly that every write the client was told of survived, that no tag dangles, and that
 * the client's retry completes the push. The same black box shows a retryable S3 failure reaching an
 * HTTP client as a retryable 503 with an OCI error body.
 */
jest.setTimeout(120_000);

const seed = faultSeed();
let dynamo: DynamoDbLocal;
let dataDir: string;

beforeAll(async () => {
  Object.assign(process.env, EMULATOR_ENV);
  delete process.env['AWS_PROFILE'];
  dynamo = await startDynamoDbLocal();
  dataDir = await mkdtemp(join(tmpdir(), 'cargohold-faults-kill-'));
});

afterAll(async () => {
  await dynamo?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** One scenario's world: a fresh bucket (the server's start-up probe needs s3rver nearly empty) and table. */
interface World {
  readonly schedule: FaultSchedule;
  readonly ledger: Ledger;
  readonly server: CargoholdChild;
  readonly direct: AwsRegistry;
  readonly repo: string;
  close(): Promise<void>;
}

let sequence = 0;

async function world(): Promise<World> {
  const n = ++sequence;
  const s3: S3rverHandle = await startS3rver(`kill-${n}`);
  const table = await dynamo.freshTable(`kill${n}`);
  const emulators: Emulators = { s3, dynamo, table, stop: () => s3.stop() };
  const schedule = new FaultSchedule(seed + n);
  const proxies: Proxies = await startProxies(emulators, schedule);
  const endpoints = { s3: proxies.s3.endpoint, dynamodb: proxies.dynamodb.endpoint };
  const server = await spawnCargohold({ dataDir: join(dataDir, String(n)), bucket: s3.bucket, table, endpoints }).catch(async (error: unknown) => {
    await proxies.stop();
    await s3.stop();
    throw error;
  });
  const direct = openAwsRegistry(emulators, { endpoints: { s3: s3.endpoint, dynamodb: dynamo.endpoint } });
  return {
    schedule,
    ledger: new Ledger(),
    server,
    direct,
    repo: `kill/scenario-${n}`,
    close: async () => {
      await server.kill();
      await direct.close();
      await proxies.stop();
      await s3.stop();
    },
  };
}

/** A request to the child over HTTP; a connection the kill cut becomes status 0 (never acknowledged). */
async function http(url: string, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    const response = await fetch(`${url}${path}`, { method, headers, ...(body ? { body } : {}), redirect: 'manual' });
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => (out[name] = value));
    return { status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) };
  } catch {
    return { status: 0, headers: {}, body: Buffer.alloc(0) };
  }
}

/** Pushes layer and config to the child and tags an image: all acknowledged, all in the ledger. */
async function pushImage(w: World, tag: string): Promise<{ layer: Buffer; manifest: Buffer }> {
  const layer = randomBytes(2048);
  const config = Buffer.from(JSON.stringify({ tag, nonce: randomBytes(4).toString('hex') }));
  for (const blob of [layer, config]) {
    const pushed = await http(w.server.url, 'POST', `/v2/${w.repo}/blobs/uploads/?digest=${sha256(blob)}`, blob);
    expect(w.ledger.record(pushed, { repo: w.repo, kind: 'blob', digest: sha256(blob), bytes: blob }).status).toBe(201);
  }
  const manifest = imageManifest(config, [layer]);
  const put = await http(w.server.url, 'PUT', `/v2/${w.repo}/manifests/${tag}`, manifest, { 'content-type': OCI_MANIFEST });
  expect(w.ledger.record(put, { repo: w.repo, kind: 'manifest', digest: sha256(manifest), bytes: manifest }).status).toBe(201);
  return { layer, manifest };
}

/** Holds the next request of `operation` (before or after the store saw it) and kills the server once it is held. */
/** Kills the server when the `skip + 1`-th request of `operation` is held (before or after it reached the emulator). */
function killWhenHeld(w: World, operation: string, afterUpstream: boolean, skip = 0): Promise<void> {
  return new Promise((done) => {
    w.schedule.add({ operation, times: 1, skip, fault: { kind: 'hold', afterUpstream, onHeld: () => void w.server.kill().then(done) } });
  });
}

const tagOf = (w: World, tag: string) => w.direct.storage.manifests.resolveTag({ registry: REGISTRY, name: w.repo }, tag);

describe('a blob commit killed', () => {
  it.each([
    ['after the upload session was written to DynamoDB, before S3 copied the blob (DynamoDB first)', false],
    ['after S3 copied the blob, before DynamoDB linked it (S3 first)', true],
  ])('%s: nothing acknowledged is lost, nothing dangles, the retry succeeds', async (_name, afterUpstream) => {
    const w = await world();
    try {
      await pushImage(w, 'v1');
      const blob = randomBytes(4096);
      const opened = await http(w.server.url, 'POST', `/v2/${w.repo}/blobs/uploads/`);
      const location = String(opened.headers['location'] ?? '');
      const patched = await http(w.server.url, 'PATCH', location, blob, {
        'content-range': `0-${blob.length - 1}`,
        'content-type': 'application/octet-stream',
      });
      expect(patched.status).toBe(202);
      const killed = killWhenHeld(w, 'CopyObject', afterUpstream);

      const commit = String(patched.headers['location'] ?? '');
      const answer = await http(w.server.url, 'PUT', `${commit}${commit.includes('?') ? '&' : '?'}digest=${sha256(blob)}`);
      await killed;

      expect(answer.status).toBe(0);
      expect(await invariantViolations(w.direct.api, w.ledger)).toEqual([]);
      // The client's retry (a new push: its session died with the server) completes it.
      const retried = await pushMonolithic(w.direct.api, w.repo, blob);
      expect(w.ledger.record(retried, { repo: w.repo, kind: 'blob', digest: sha256(blob), bytes: blob }).status).toBe(201);
      expect(await invariantViolations(w.direct.api, w.ledger)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});

describe('a tag move killed', () => {
  it('after S3 stored the manifest bytes, before DynamoDB recorded the image (S3 first): the tag stays where it was', async () => {
    const w = await world();
    try {
      const first = await pushImage(w, 'latest');
      const config = Buffer.from('{"moved":true}');
      expect(
        w.ledger.record(await pushMonolithic(w.direct.api, w.repo, config), { repo: w.repo, kind: 'blob', digest: sha256(config), bytes: config }).status,
      ).toBe(201);
      const next = imageManifest(config, [first.layer]);
      const killed = killWhenHeld(w, 'PutObject', true);

      const answer = await http(w.server.url, 'PUT', `/v2/${w.repo}/manifests/latest`, next, { 'content-type': OCI_MANIFEST });
      await killed;

      expect(answer.status).toBe(0);
      expect(await tagOf(w, 'latest')).toBe(sha256(first.manifest));
      expect(await invariantViolations(w.direct.api, w.ledger)).toEqual([]);
      const retried = await putManifest(w.direct.api, w.repo, 'latest', next);
      expect(w.ledger.record(retried, { repo: w.repo, kind: 'manifest', digest: sha256(next), bytes: next }).status).toBe(201);
      expect(await tagOf(w, 'latest')).toBe(sha256(next));
      expect(await invariantViolations(w.direct.api, w.ledger)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('after DynamoDB committed the tag, before the server answered (DynamoDB last): the tag resolves to a whole image', async () => {
    const w = await world();
    try {
      const first = await pushImage(w, 'latest');
      const config = Buffer.from('{"moved":"unacknowledged"}');
      expect(
        w.ledger.record(await pushMonolithic(w.direct.api, w.repo, config), { repo: w.repo, kind: 'blob', digest: sha256(config), bytes: config }).status,
      ).toBe(201);
      const next = imageManifest(config, [first.layer]);
      // A manifest PUT writes two transactions: the pin that keeps garbage collection off its digest, then
      // the manifest with its tag. The kill comes after the second.
      const killed = killWhenHeld(w, 'TransactWriteItems', true, 1);

      const answer = await http(w.server.url, 'PUT', `/v2/${w.repo}/manifests/latest`, next, { 'content-type': OCI_MANIFEST });
      await killed;

      expect(answer.status).toBe(0);
      // Not acknowledged, yet done: the tag moved atomically and its whole closure is there.
      expect(await tagOf(w, 'latest')).toBe(sha256(next));
      expect((await call(w.direct.api, 'GET', `/v2/${w.repo}/manifests/${sha256(next)}`)).body.equals(next)).toBe(true);
      expect(await invariantViolations(w.direct.api, w.ledger)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});

describe('cargohold serve over HTTP, with S3 answering 503 SlowDown on every try', () => {
  it('answers the client a 503 with Retry-After and an OCI error body, and nothing is acknowledged', async () => {
    const w = await world();
    try {
      const blob = randomBytes(1024);
      w.schedule.add({ operation: 'PutObject', fault: { kind: 's3-error', code: 'SlowDown' } });

      const answer = await http(w.server.url, 'POST', `/v2/${w.repo}/blobs/uploads/?digest=${sha256(blob)}`, blob);

      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ errors: [{ code: 'UNAVAILABLE', message: expect.any(String) }] });
      expect(w.schedule.attempts('PutObject')).toBe(3);
      expect((await call(w.direct.api, 'HEAD', `/v2/${w.repo}/blobs/${sha256(blob)}`)).status).toBe(404);
    } finally {
      await w.close();
    }
  });
});
