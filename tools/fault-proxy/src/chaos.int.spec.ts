import { randomBytes } from 'node:crypto';
import { type AwsRegistry, startFaultRig, type FaultRig } from './aws-registry';
import type { Fault } from './faults';
import { invariantViolations, Ledger } from './invariants';
import { imageManifest, pushChunked, pushMonolithic, putManifest, sha256, type Answer } from './registry-client';
import { FaultSchedule, faultSeed } from './schedule';

/*
 * Random faults from the seeded schedule on every S3 and DynamoDB operation while a client pushes
 * images the way docker does (retrying a 5xx or a 429 a few times). Whatever the draw, every answer is a
 * 2xx or a retryable error in the OCI shape, and the invariants hold at the end. The seed is printed;
 * FAULT_SEED=<seed> replays the same draw.
 */
jest.setTimeout(120_000);

const seed = faultSeed();
const schedule = new FaultSchedule(seed);
const ledger = new Ledger();
let rig: FaultRig | undefined;
let faulty: AwsRegistry;
let direct: AwsRegistry;

beforeAll(async () => {
  rig = await startFaultRig('chaos', schedule, { socketTimeoutMs: 1_000, maxAttempts: 3 });
  ({ faulty, direct } = rig);
});

afterAll(async () => {
  await rig?.stop();
});

const S3_FAULTS: Fault[] = [{ kind: 's3-error', code: 'InternalError' }, { kind: 's3-error', code: 'SlowDown' }, { kind: 'timeout' }];
const DYNAMODB_FAULTS: Fault[] = [
  { kind: 'json-error', type: 'ProvisionedThroughputExceededException' },
  { kind: 'json-error', type: 'ThrottlingException' },
  { kind: 'json-error', type: 'InternalServerError' },
];
const S3_OPERATIONS = /^(PutObject|GetObject|HeadObject|CopyObject|CreateMultipartUpload|UploadPart|CompleteMultipartUpload|DeleteObject)$/;
const DYNAMODB_OPERATIONS = /^(GetItem|PutItem|UpdateItem|DeleteItem|Query|TransactWriteItems|BatchGetItem|BatchWriteItem)$/;

// A retryable failure is a 5xx (docker gives up on a 429 TOOMANYREQUESTS); a bare 500 never counts.
const RETRYABLE = new Set([502, 503, 504]);

/** What docker does with a failed request: retry a few times, then give up. Every answer must be well-formed. */
async function withClientRetries(request: () => Promise<Answer>): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await request();
    if (answer.status >= 400) {
      expect(RETRYABLE.has(answer.status)).toBe(true);
      expect(JSON.parse(answer.body.toString('utf8'))).toEqual({
        errors: [{ code: 'UNAVAILABLE', message: expect.any(String) }],
      });
    }
    if (!RETRYABLE.has(answer.status) || attempt === 5) return answer;
  }
}

it('keeps every invariant under the seeded draw of S3 and DynamoDB faults', async () => {
  schedule
    .add({ operation: S3_OPERATIONS, fault: S3_FAULTS, probability: 0.12 })
    .add({ operation: DYNAMODB_OPERATIONS, fault: DYNAMODB_FAULTS, probability: 0.12 });

  for (let image = 0; image < 6; image++) {
    const repo = `chaos/app-${image % 2}`;
    const layers = [randomBytes(image === 0 ? 6 * 1024 * 1024 : 4096), randomBytes(1024)];
    const config = Buffer.from(JSON.stringify({ image, seed }));
    for (const [i, blob] of [...layers, config].entries()) {
      const push = i === 1 ? pushChunked : pushMonolithic;
      ledger.record(await withClientRetries(() => push(faulty.api, repo, blob)), { repo, kind: 'blob', digest: sha256(blob), bytes: blob });
    }
    const manifest = imageManifest(config, layers);
    ledger.record(await withClientRetries(() => putManifest(faulty.api, repo, 'latest', manifest)), {
      repo,
      kind: 'manifest',
      digest: sha256(manifest),
      bytes: manifest,
    });
  }
  schedule.clear();

  const injected = schedule.decisions.filter((decision) => decision.fault !== undefined);
  expect(injected.length).toBeGreaterThan(0);
  expect(await invariantViolations(direct.api, ledger)).toEqual([]);
});
