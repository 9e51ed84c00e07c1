import { createHash } from 'node:crypto';
import { issueToken } from '@cargohold/auth';
import type { HttpApiLambda } from '@cargohold/lambda-kit';
import { httpApiEvent, lambdaContext } from '@cargohold/lambda-kit/testing';
import { countSdkCalls, emulatorEnvironment, type SdkCallCounter } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';

/**
 * What one `/v2/` request costs on AWS: the DynamoDB and S3 calls the distribution Lambda makes (main.lambda.ts
 * as deployed without an upload gateway, so the uploads run here too), counted by an SDK middleware over
 * s3rver and DynamoDB Local, for docker's push and pull of a small image. Prints the table (kept in
 * tools/bench/README.md) and bounds each count: the counts are deterministic, so a change that adds a call
 * to a request shows here.
 */
const TOKEN_KEY = Buffer.alloc(32, 9);
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let handler: HttpApiLambda;
let calls: SdkCallCounter;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('calls-blobs');
  dynamo = await startDynamoDbLocal();
  Object.assign(process.env, {
    BUCKET: s3.bucket,
    TABLE: await dynamo.freshTable(),
    TOKEN_KEY_BASE64: TOKEN_KEY.toString('base64'),
    ALLOW_DEFAULT_IDENTITIES: 'true',
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  calls = countSdkCalls();
  ({ handler } = await import('./main.lambda'));
}, 120_000);

afterAll(async () => {
  calls?.stop();
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
});

const { token } = issueToken(
  { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:user/admin', registry: '000000000000:us-east-1' },
  TOKEN_KEY,
  { now: new Date() },
);
const AUTH = { authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}` };

interface Counted {
  readonly request: string;
  readonly status: number;
  readonly location: string;
  readonly dynamodb: Record<string, number>;
  readonly s3: Record<string, number>;
}

/** One request through the handler, with the SDK calls it made. */
async function invoke(request: string, method: string, target: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Counted> {
  calls.reset();
  const event = httpApiEvent({ method, target, headers: { ...AUTH, ...headers }, ...(body ? { body } : {}) });
  const result = await handler(event, lambdaContext('distribution-api'));
  return {
    request,
    status: result.statusCode ?? 200,
    location: String(result.headers?.['Location'] ?? ''),
    dynamodb: calls.of('DynamoDB'),
    s3: calls.of('S3'),
  };
}

/** docker's push of one blob: HEAD (absent), POST, one PATCH with the whole blob, PUT ?digest=. */
async function pushBlob(repo: string, blob: Buffer, what: string): Promise<Counted[]> {
  const digest = sha256(blob);
  const head = await invoke(`HEAD blob (${what}, absent)`, 'HEAD', `/v2/${repo}/blobs/${digest}`);
  const post = await invoke(`POST upload (${what})`, 'POST', `/v2/${repo}/blobs/uploads/`);
  const patchHeaders = { 'content-type': 'application/octet-stream', 'content-length': String(blob.length), 'content-range': `0-${blob.length - 1}` };
  const patch = await invoke(`PATCH (${what}, ${blob.length} B)`, 'PATCH', post.location, patchHeaders, blob);
  const put = await invoke(`PUT ?digest= (${what})`, 'PUT', `${patch.location}?digest=${digest}`, { 'content-length': '0' });
  return [head, post, patch, put];
}

async function pushImage(repo: string, tag: string, seed: number) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }));
  const layer = Buffer.alloc(64 * 1024, seed);
  const blobs = [...(await pushBlob(repo, layer, 'layer')), ...(await pushBlob(repo, config, 'config'))];
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  const put = await invoke(`PUT manifest by tag`, 'PUT', `/v2/${repo}/manifests/${tag}`, { 'content-type': MANIFEST_TYPE }, manifest);
  return { requests: [...blobs, put], layer: sha256(layer), manifest: sha256(manifest) };
}

/**
 * Upper bounds per request of the steady state (a push into an existing repository, then the pull), as
 * measured: DynamoDB calls (of which reads: GetItem and Query) and S3 calls.
 */
const BOUNDS: Record<string, { dynamodb: number; reads: number; s3: number }> = {
  HEAD: { dynamodb: 4, reads: 4, s3: 0 },
  POST: { dynamodb: 3, reads: 2, s3: 2 },
  PATCH: { dynamodb: 3, reads: 3, s3: 4 },
  'PUT ?digest=': { dynamodb: 7, reads: 3, s3: 9 },
  // Settings, the repository, the blobs' links (pins are writes), then the transactions and an unpin.
  'PUT manifest': { dynamodb: 9, reads: 6, s3: 3 },
  // The registry's settings (policies, pull-through rules, pull-time exclusions: read once per request),
  // the repository, the tag, the manifest; then the pull time recorded.
  'GET manifest': { dynamodb: 5, reads: 4, s3: 0 },
  'GET blob': { dynamodb: 3, reads: 3, s3: 2 },
};
const boundOf = (request: string) => BOUNDS[Object.keys(BOUNDS).find((prefix) => request.startsWith(prefix)) ?? ''];

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([operation, n]) => (n === 1 ? operation : `${operation} ×${n}`))
    .join(', ') || '–';

/** Each count, capped at its bound: equal to the count itself exactly when it is within the bound. */
const minimum = <T extends Record<string, number>>(counted: T, bound: T | undefined): T =>
  Object.fromEntries(Object.entries(counted).map(([name, n]) => [name, Math.min(n, bound?.[name] ?? -1)])) as T;

function table(title: string, rows: readonly Counted[]): string {
  const lines = [`${title}`, '| request | status | DynamoDB | S3 | calls |', '| --- | ---: | --- | --- | ---: |'];
  for (const r of rows) lines.push(`| ${r.request} | ${r.status} | ${listed(r.dynamodb)} | ${listed(r.s3)} | ${total(r.dynamodb) + total(r.s3)} |`);
  return lines.join('\n');
}

describe('distribution-api Lambda: AWS calls per request', () => {
  it('counts a push into a new repository, a second push into it and a pull, and keeps each within its bound', async () => {
    const first = await pushImage('calls/app', 'v1', 1);
    const second = await pushImage('calls/app', 'v2', 2);
    const pull = [
      await invoke('GET manifest by tag', 'GET', '/v2/calls/app/manifests/v2', { accept: MANIFEST_TYPE }),
      await invoke('GET blob (307 to S3)', 'GET', `/v2/calls/app/blobs/${second.layer}`),
    ];
    process.stderr.write(
      `\n${table('push into a new repository', first.requests)}\n\n${table('second push into the same repository', second.requests)}\n\n${table('pull', pull)}\n`,
    );

    for (const r of [...first.requests, ...second.requests, ...pull]) expect(`${r.request}: ${r.status}`).toMatch(/: (404|202|201|200|307)$/);
    expect(pull.map((r) => r.status)).toEqual([200, 307]);
    for (const r of [...second.requests, ...pull]) {
      const bound = boundOf(r.request);
      const counted = { dynamodb: total(r.dynamodb), reads: (r.dynamodb['GetItem'] ?? 0) + (r.dynamodb['Query'] ?? 0), s3: total(r.s3) };
      expect({ request: r.request, ...counted }).toEqual({ request: r.request, ...minimum(counted, bound) });
    }
  }, 120_000);
});
