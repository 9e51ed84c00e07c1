import { randomBytes } from 'node:crypto';
import type { HttpHandler } from '@cargohold/lambda-kit';
import { REGISTRY, type AwsRegistry, startFaultRig, type FaultRig } from './aws-registry';
import type { Fault } from './faults';
import { invariantViolations, Ledger } from './invariants';
import { call, imageManifest, pushChunked, pushMonolithic, putManifest, sha256, type Answer } from './registry-client';
import { FaultSchedule, faultSeed } from './schedule';

/*
 * The registry over S3 (s3rver) and DynamoDB (DynamoDB Local) with a fault-injecting proxy in front of
 * S3: each S3 write a push depends on answers 500 InternalError, 503 SlowDown or never answers, on the
 * first try (the SDK's bounded retries absorb it: 201) or on every try (the client gets a retryable 503
 * with an OCI error body and Retry-After, and nothing was acknowledged). After each fault the invariants
 * are checked through a registry reading the emulators directly.
 */
jest.setTimeout(120_000);

// Short, so that held requests time out quickly; long enough that a busy CI machine's emulator is not mistaken for one.
const SOCKET_TIMEOUT_MS = 1_500;
const MAX_ATTEMPTS = 3;
const seed = faultSeed();
const schedule = new FaultSchedule(seed);
const ledger = new Ledger();
let rig: FaultRig | undefined;
let faulty: AwsRegistry;
let direct: AwsRegistry;

beforeAll(async () => {
  rig = await startFaultRig('s3-faults', schedule, { socketTimeoutMs: SOCKET_TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS });
  ({ faulty, direct } = rig);
});

afterEach(() => schedule.clear());

afterAll(async () => {
  // Every acknowledged write of the whole run, once more, now that no fault is pending.
  expect(await invariantViolations(direct.api, ledger)).toEqual([]);
  await rig?.stop();
});

/** A 201 for the blob, recorded in the ledger. */
async function blobPushed(repo: string, blob: Buffer, push: (api: HttpHandler, repo: string, blob: Buffer) => Promise<Answer>): Promise<Answer> {
  return ledger.record(await push(faulty.api, repo, blob), { repo, kind: 'blob', digest: sha256(blob), bytes: blob });
}

/** After a fault: the client's retry succeeds, the image is tagged, and no invariant is broken. */
async function completeImageAndCheck(repo: string, layer: Buffer, push: (api: HttpHandler, repo: string, blob: Buffer) => Promise<Answer>) {
  expect((await blobPushed(repo, layer, push)).status).toBe(201);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', repo }));
  expect((await blobPushed(repo, config, pushMonolithic)).status).toBe(201);
  const manifest = imageManifest(config, [layer]);
  const put = await putManifest(faulty.api, repo, 'latest', manifest);
  ledger.record(put, { repo, kind: 'manifest', digest: sha256(manifest), bytes: manifest });
  expect(put.status).toBe(201);
  expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
}

function expectRetryable503(answer: Answer) {
  expect(answer.status).toBe(503);
  expect(answer.headers['Retry-After']).toBe('1');
  expect(JSON.parse(answer.body.toString('utf8'))).toEqual({
    errors: [{ code: 'UNAVAILABLE', message: expect.stringMatching(/blob storage is unavailable/) }],
  });
}

const FAULTS: readonly [string, Fault][] = [
  ['500 InternalError', { kind: 's3-error', code: 'InternalError' }],
  ['503 SlowDown', { kind: 's3-error', code: 'SlowDown' }],
  ['a timeout', { kind: 'timeout' }],
];

/** Which push makes S3 run the operation: small monolithic blobs are one PutObject, 6 MiB ones multipart, chunked ones a CopyObject at commit. */
const OPERATIONS: readonly [string, number, (api: HttpHandler, repo: string, blob: Buffer) => Promise<Answer>][] = [
  ['PutObject', 1024, pushMonolithic],
  ['UploadPart', 6 * 1024 * 1024, pushMonolithic],
  ['CompleteMultipartUpload', 6 * 1024 * 1024, pushMonolithic],
  ['CopyObject', 1024, pushChunked],
];

let sequence = 0;
const repoFor = (operation: string) => `faults/${operation.toLowerCase()}-${++sequence}`;

describe.each(OPERATIONS)('S3 %s', (operation, size, push) => {
  describe.each(FAULTS)('answering %s', (_name, fault) => {
    it('on the first try only: the SDK retries and the push succeeds', async () => {
      const repo = repoFor(operation);
      const layer = randomBytes(size);
      schedule.add({ operation, fault, times: 1 });

      expect((await blobPushed(repo, layer, push)).status).toBe(201);

      expect(schedule.attempts(operation)).toBeGreaterThanOrEqual(2);
      schedule.clear();
      await completeImageAndCheck(repo, layer, push);
    });

    it('on every try: the client gets a retryable 503, after a bounded number of attempts, and its retry succeeds', async () => {
      const repo = repoFor(operation);
      const layer = randomBytes(size);
      schedule.add({ operation, fault });
      const before = schedule.attempts(operation);

      const answer = await blobPushed(repo, layer, push);

      expectRetryable503(answer);
      expect(schedule.attempts(operation) - before).toBe(MAX_ATTEMPTS);
      expect((await pushMonolithic(direct.api, repo, Buffer.from('unrelated'))).status).toBe(201);
      expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
      schedule.clear();
      await completeImageAndCheck(repo, layer, push);
    });
  });
});

describe("S3 UploadPart of a chunked upload's tail at commit (a body read back from S3)", () => {
  it.each(FAULTS)('answering %s on the first try: the retry sends the same bytes and the push succeeds', async (_name, fault) => {
    const repo = repoFor('tail');
    // One 5 MiB part during the PATCH, a 2 MiB tail object, which the commit uploads as the last part.
    const layer = randomBytes(7 * 1024 * 1024);
    schedule.add({ operation: 'UploadPart', fault, times: 1, skip: 1 });

    const pushed = await blobPushed(repo, layer, pushChunked);

    expect(schedule.decisions.filter((d) => d.operation === 'UploadPart' && d.fault !== undefined)).not.toHaveLength(0);
    expect(pushed.status).toBe(201);
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });

  it('answering 503 SlowDown on every try: the commit answers 503 and the same PUT, retried, completes the upload', async () => {
    const repo = repoFor('tail-retry');
    const layer = randomBytes(7 * 1024 * 1024);
    const location = String((await call(faulty.api, 'POST', `/v2/${repo}/blobs/uploads/`)).headers['Location']);
    const patched = await call(faulty.api, 'PATCH', location, layer, { 'content-range': `0-${layer.length - 1}` });
    expect(patched.status).toBe(202);
    const commit = `${String(patched.headers['Location'])}&digest=${sha256(layer)}`.replace(/^([^?]*)&/, '$1?');
    schedule.add({ operation: 'UploadPart', fault: { kind: 's3-error', code: 'SlowDown' } });

    expectRetryable503(ledger.record(await call(faulty.api, 'PUT', commit), { repo, kind: 'blob', digest: sha256(layer), bytes: layer }));
    expect((await call(direct.api, 'HEAD', `/v2/${repo}/blobs/${sha256(layer)}`)).status).toBe(404);
    schedule.clear();

    expect(ledger.record(await call(faulty.api, 'PUT', commit), { repo, kind: 'blob', digest: sha256(layer), bytes: layer }).status).toBe(201);
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });
});

describe('S3 PutObject of manifest bytes', () => {
  it.each(FAULTS)('answering %s on every try: the tag does not move, and a retry tags the image', async (_name, fault) => {
    const repo = repoFor('manifest');
    const layer = randomBytes(512);
    await completeImageAndCheck(repo, layer, pushMonolithic);
    const before = await direct.storage.manifests.resolveTag({ registry: REGISTRY, name: repo }, 'latest');
    const config = Buffer.from(JSON.stringify({ moved: true, repo }));
    expect((await blobPushed(repo, config, pushMonolithic)).status).toBe(201);
    const manifest = imageManifest(config, [layer]);
    schedule.add({ operation: 'PutObject', fault });

    const put = ledger.record(await putManifest(faulty.api, repo, 'latest', manifest), { repo, kind: 'manifest', digest: sha256(manifest), bytes: manifest });

    expectRetryable503(put);
    expect(await direct.storage.manifests.resolveTag({ registry: REGISTRY, name: repo }, 'latest')).toEqual(before);
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
    schedule.clear();
    expect((await putManifest(faulty.api, repo, 'latest', manifest)).status).toBe(201);
    ledger.record({ status: 201, headers: {}, body: Buffer.alloc(0) }, { repo, kind: 'manifest', digest: sha256(manifest), bytes: manifest });
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });
});
