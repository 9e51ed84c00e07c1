import { randomBytes } from 'node:crypto';
import { REGISTRY, type AwsRegistry, startFaultRig, type FaultRig } from './aws-registry';
import type { Fault } from './faults';
import { invariantViolations, Ledger } from './invariants';
import { imageManifest, pushMonolithic, putManifest, sha256, type Answer } from './registry-client';
import { FaultSchedule, faultSeed } from './schedule';

/*
 * The registry over DynamoDB Local with the fault proxy in front of it: throttling, 500s and timeouts,
 * cancelled transactions and a real concurrent writer on a tag move. A tag moves atomically or not at
 * all; what the client was told succeeded reads back; what it was told failed is retryable.
 */
jest.setTimeout(120_000);

const MAX_ATTEMPTS = 3;
const seed = faultSeed();
const schedule = new FaultSchedule(seed);
const ledger = new Ledger();
let rig: FaultRig | undefined;
let faulty: AwsRegistry;
let direct: AwsRegistry;

beforeAll(async () => {
  rig = await startFaultRig('dynamodb-faults', schedule, { socketTimeoutMs: 1_500, maxAttempts: MAX_ATTEMPTS });
  ({ faulty, direct } = rig);
});

afterEach(() => schedule.clear());

afterAll(async () => {
  expect(await invariantViolations(direct.api, ledger)).toEqual([]);
  await rig?.stop();
});

let sequence = 0;

/** A repository holding one tagged image (pushed without faults), and a second image ready to move the tag to. */
async function taggedRepository(): Promise<{ repo: string; tagged: string; next: Buffer }> {
  const repo = `faults/dynamo-${++sequence}`;
  const layer = randomBytes(256);
  const configs = [Buffer.from(`{"n":1,"repo":"${repo}"}`), Buffer.from(`{"n":2,"repo":"${repo}"}`)];
  for (const blob of [layer, ...configs]) {
    expect(ledger.record(await pushMonolithic(direct.api, repo, blob), { repo, kind: 'blob', digest: sha256(blob), bytes: blob }).status).toBe(201);
  }
  const first = imageManifest(configs[0] as Buffer, [layer]);
  expect(ledger.record(await putManifest(direct.api, repo, 'latest', first), { repo, kind: 'manifest', digest: sha256(first), bytes: first }).status).toBe(201);
  return { repo, tagged: sha256(first), next: imageManifest(configs[1] as Buffer, [layer]) };
}

const moveTag = async (repo: string, manifest: Buffer): Promise<Answer> =>
  ledger.record(await putManifest(faulty.api, repo, 'latest', manifest), { repo, kind: 'manifest', digest: sha256(manifest), bytes: manifest });

const tagOf = (repo: string) => direct.storage.manifests.resolveTag({ registry: REGISTRY, name: repo }, 'latest');

const errorOf = (answer: Answer) => JSON.parse(answer.body.toString('utf8')) as { errors: { code: string; message: string }[] };

/** Every DynamoDB operation the registry uses. */
const DYNAMODB = /^(GetItem|PutItem|UpdateItem|DeleteItem|Query|TransactWriteItems|TransactGetItems|BatchGetItem|BatchWriteItem)$/;

const THROTTLING: readonly [string, Fault][] = [
  ['ProvisionedThroughputExceededException', { kind: 'json-error', type: 'ProvisionedThroughputExceededException' }],
  ['ThrottlingException', { kind: 'json-error', type: 'ThrottlingException' }],
  ['a cancelled transaction (ThrottlingError)', { kind: 'transaction-canceled', code: 'ThrottlingError' }],
];

describe.each(THROTTLING)('DynamoDB throttling: %s', (_name, fault) => {
  const operation = fault.kind === 'transaction-canceled' ? 'TransactWriteItems' : DYNAMODB;

  it('on the first try: the SDK backs off and the tag moves', async () => {
    const { repo, next } = await taggedRepository();
    schedule.add({ operation, fault, times: 1 });

    expect((await moveTag(repo, next)).status).toBe(201);

    expect(await tagOf(repo)).toBe(sha256(next));
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });

  it('on every try: a bounded number of attempts, then a retryable 503 with Retry-After; the tag stays', async () => {
    const { repo, tagged, next } = await taggedRepository();
    schedule.add({ operation, fault });
    const faulted = () => schedule.decisions.filter((decision) => decision.fault !== undefined).length;
    const before = faulted();

    const answer = await moveTag(repo, next);

    expect(answer.status).toBe(503);
    expect(answer.headers['Retry-After']).toBe('1');
    expect(errorOf(answer).errors[0]?.code).toBe('UNAVAILABLE');
    // The first throttled call failed every one of its bounded attempts, and nothing after it ran.
    expect(faulted() - before).toBe(MAX_ATTEMPTS);
    expect(await tagOf(repo)).toBe(tagged);
    schedule.clear();
    expect((await moveTag(repo, next)).status).toBe(201);
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });
});

describe.each([
  ['500 InternalServerError', { kind: 'json-error', type: 'InternalServerError' } as Fault],
  ['a timeout', { kind: 'timeout' } as Fault],
])('DynamoDB answering %s', (_name, fault) => {
  it('on the first try: the SDK retries and the tag moves', async () => {
    const { repo, next } = await taggedRepository();
    schedule.add({ operation: 'TransactWriteItems', fault, times: 1 });

    expect((await moveTag(repo, next)).status).toBe(201);

    expect(await tagOf(repo)).toBe(sha256(next));
  });

  it('on every try: a retryable 503 UNAVAILABLE with Retry-After, not a bare 500; the tag stays', async () => {
    const { repo, tagged, next } = await taggedRepository();
    schedule.add({ operation: DYNAMODB, fault });

    const answer = await moveTag(repo, next);

    expect(answer.status).toBe(503);
    expect(answer.headers['Retry-After']).toBe('1');
    expect(errorOf(answer).errors).toEqual([{ code: 'UNAVAILABLE', message: expect.stringMatching(/metadata store is unavailable/) }]);
    expect(await tagOf(repo)).toBe(tagged);
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });
});

describe('DynamoDB TransactionCanceledException', () => {
  // The tag's write is the transaction's last item: its condition failing says the tag moved since it was read.
  it.each(['ConditionalCheckFailed', 'TransactionConflict'] as const)(
    'with %s on the tag, first try: the put re-reads, retries, and the tag moves',
    async (code) => {
      const { repo, next } = await taggedRepository();
      schedule.add({ operation: 'TransactWriteItems', fault: { kind: 'transaction-canceled', code, at: 'last' }, times: 1 });

      expect((await moveTag(repo, next)).status).toBe(201);

      expect(schedule.attempts('TransactWriteItems')).toBeGreaterThanOrEqual(2);
      expect(await tagOf(repo)).toBe(sha256(next));
      expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
    },
  );

  it('with TransactionConflict on every try: a retryable 503 after bounded attempts; the tag stays', async () => {
    const { repo, tagged, next } = await taggedRepository();
    schedule.add({ operation: 'TransactWriteItems', fault: { kind: 'transaction-canceled', code: 'TransactionConflict' } });

    const answer = await moveTag(repo, next);

    expect(answer.status).toBe(503);
    expect(errorOf(answer).errors[0]?.code).toBe('UNAVAILABLE');
    expect(await tagOf(repo)).toBe(tagged);
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });
});

describe('a concurrent writer on a tag move', () => {
  it('lands between the read and the conditional write: the loser re-reads and moves the tag after it, atomically', async () => {
    const { repo, next } = await taggedRepository();
    const rival = imageManifest(Buffer.from(`{"rival":true,"repo":"${repo}"}`), []);
    const rivalConfig = Buffer.from(`{"rival":true,"repo":"${repo}"}`);
    expect(
      ledger.record(await pushMonolithic(direct.api, repo, rivalConfig), { repo, kind: 'blob', digest: sha256(rivalConfig), bytes: rivalConfig }).status,
    ).toBe(201);
    const action = async () => {
      const put = await putManifest(direct.api, repo, 'latest', rival);
      ledger.record(put, { repo, kind: 'manifest', digest: sha256(rival), bytes: rival });
      expect(put.status).toBe(201);
      expect(await tagOf(repo)).toBe(sha256(rival));
    };
    schedule.add({ operation: 'TransactWriteItems', fault: { kind: 'before', action }, times: 1 });

    expect((await moveTag(repo, next)).status).toBe(201);

    expect(schedule.attempts('TransactWriteItems')).toBeGreaterThanOrEqual(2);
    expect(await tagOf(repo)).toBe(sha256(next));
    expect(await invariantViolations(direct.api, ledger, repo)).toEqual([]);
  });
});
