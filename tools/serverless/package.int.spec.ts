import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TABLE_DEFINITION } from '@cargohold/storage-dynamodb';
import { startDynalite, type Dynalite } from '@cargohold/storage-dynamodb/testing';
import { extractZip, handlerEntry, loadBundle, offlineFunctionEnv, packageService, readZip, ROOT } from './bundles';
import { runtimeProblem } from './lambda-runtimes';
import { type CfnResource, type Template, allowStatements, functionByHandler, resourcesOfType } from './template';

/**
 * `serverless package` for both stages, offline and without credentials, then the generated
 * CloudFormation and the function bundles: what issue 5 asks serverless.yml to declare, and proof that
 * each bundle boots without AWS (a fresh Node process requires it and invokes its handler once).
 */
const STAGES = ['dev', 'local'] as const;
type Stage = (typeof STAGES)[number];

/** Every Lambda entry in apps/: a new `*.lambda.ts` must get its function in serverless.yml. */
const HANDLERS = readdirSync(join(ROOT, 'apps'))
  .flatMap((app) => {
    try {
      return readdirSync(join(ROOT, 'apps', app, 'src')).map((file) => `apps/${app}/src/${file}`);
    } catch {
      return [];
    }
  })
  .filter((file) => file.endsWith('.lambda.ts'))
  .map((file) => `${file.slice(0, -'.ts'.length)}.handler`);

const ALL_FOUR_BLOCKED = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
const NEVER_BUNDLED = ['better-sqlite3', 'dynalite', 's3rver', 'local-aws-sqs'];

let work: string;
const templates = {} as Record<Stage, Template>;
const packagingMs = {} as Record<Stage, number>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cargohold-sls-'));
  // One stage after the other: osls stages every package in <serviceDir>/.serverless before moving it to
  // --package, so two runs in the same service directory would delete each other's files.
  for (const stage of STAGES) {
    const { ms } = await packageService({ stage, outDir: join(work, stage) });
    packagingMs[stage] = ms;
    templates[stage] = JSON.parse(readFileSync(join(work, stage, 'cloudformation-template-update-stack.json'), 'utf8'));
  }
  process.stderr.write(`serverless package: ${STAGES.map((s) => `${s} ${(packagingMs[s] / 1000).toFixed(1)} s`).join(', ')}\n`);
}, 170_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(STAGES)('serverless package --stage %s', (stage) => {
  const template = () => templates[stage];
  const resource = (id: string): CfnResource => {
    const found = template().Resources[id];
    if (!found) throw new Error(`no resource ${id}; have ${Object.keys(template().Resources).join(', ')}`);
    return found;
  };

  describe('functions', () => {
    it('declares a function for every Lambda entry in apps/, on a Node.js runtime Lambda has not deprecated, arm64, each with its own role', () => {
      expect(HANDLERS).toEqual(
        expect.arrayContaining(['apps/distribution-api/src/main.lambda.handler', 'apps/ecr-api/src/main.lambda.handler', 'apps/distribution-api/src/purge.lambda.handler']),
      );
      const roles = HANDLERS.map((handler) => {
        const [, fn] = functionByHandler(template(), handler);
        expect(runtimeProblem(fn.Properties['Runtime'], new Date())).toBeUndefined();
        expect(fn.Properties['Runtime']).toBe('nodejs24.x');
        expect(fn.Properties['Architectures']).toEqual(['arm64']);
        return JSON.stringify(fn.Properties['Role']);
      });
      expect(new Set(roles).size).toBe(HANDLERS.length);
      expect(template().Resources['IamRoleLambdaExecution']).toBeUndefined();
    });

    it('routes ANY /v2 and ANY /v2/{proxy+} to distribution-api and POST / to ecr-api on the HTTP API', () => {
      const routes = resourcesOfType(template(), 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
      const target = (routeKey: string) => JSON.stringify(routes.find((r) => r['RouteKey'] === routeKey)?.['Target']);
      expect(routes.map((r) => r['RouteKey']).sort()).toEqual(['ANY /v2', 'ANY /v2/{proxy+}', 'POST /']);
      expect(target('ANY /v2')).toContain('HttpApiIntegrationDistributionDashapi');
      expect(target('ANY /v2/{proxy+}')).toContain('HttpApiIntegrationDistributionDashapi');
      expect(target('POST /')).toContain('HttpApiIntegrationEcrDashapi');
      const integrations = resourcesOfType(template(), 'AWS::ApiGatewayV2::Integration');
      for (const [, integration] of integrations) expect(integration.Properties['PayloadFormatVersion']).toBe('2.0');
    });

    it('runs the upload purge every 15 minutes', () => {
      const [purgeId] = functionByHandler(template(), 'apps/distribution-api/src/purge.lambda.handler');
      const schedules = resourcesOfType(template(), 'AWS::Events::Rule').filter(([, rule]) => rule.Properties['ScheduleExpression']);
      expect(schedules.map(([, rule]) => rule.Properties['ScheduleExpression'])).toEqual(['rate(15 minutes)']);
      expect(JSON.stringify(schedules[0]?.[1].Properties['Targets'])).toContain(purgeId);
    });

    it('gives the API functions their configuration and the purge its storage only', () => {
      const env = (handler: string) => functionByHandler(template(), handler)[1].Properties['Environment'] as { Variables: Record<string, unknown> };
      const api = env('apps/distribution-api/src/main.lambda.handler').Variables;
      expect(env('apps/ecr-api/src/main.lambda.handler').Variables).toEqual(api);
      expect(api).toMatchObject({ BUCKET: { Ref: 'BlobBucket' }, TABLE: { Ref: 'MetadataTable' }, REGISTRY_ACCOUNT_ID: { Ref: 'AWS::AccountId' } });
      const purge = env('apps/distribution-api/src/purge.lambda.handler').Variables;
      expect(purge).toMatchObject({ BUCKET: { Ref: 'BlobBucket' }, TABLE: { Ref: 'MetadataTable' } });
      expect(purge).not.toHaveProperty('TOKEN_KEY_BASE64');
      expect(purge).not.toHaveProperty('IDENTITIES_JSON');
      if (stage === 'local') {
        expect(api).toMatchObject({ ALLOW_DEFAULT_IDENTITIES: 'true', S3_FORCE_PATH_STYLE: 'true' });
        expect(Buffer.from(String(api['TOKEN_KEY_BASE64']), 'base64').length).toBeGreaterThanOrEqual(32);
      } else {
        // Secrets are CloudFormation dynamic references, resolved when the stack deploys.
        expect(api['TOKEN_KEY_BASE64']).toBe(`{{resolve:ssm:/cargohold/${stage}/token-key}}`);
        expect(api['IDENTITIES_JSON']).toBe(`{{resolve:ssm:/cargohold/${stage}/identities}}`);
        expect(api).not.toHaveProperty('ALLOW_DEFAULT_IDENTITIES');
      }
    });
  });

  describe('stream-forwarder', () => {
    const HANDLER = 'apps/stream-forwarder/src/main.lambda.handler';

    it('reads the metadata table stream with partial batch failures, bisection, bounded retries and a DLQ', () => {
      const [functionId] = functionByHandler(template(), HANDLER);
      const mappings = mappingsOf(template(), functionId);
      expect(mappings).toHaveLength(1);
      expect(mappings[0]).toEqual({
        EventSourceArn: { 'Fn::GetAtt': ['MetadataTable', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Enabled: true,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['StreamForwarderDeadLetterQueue', 'Arn'] } } },
        FilterCriteria: {
          Filters: ['M#', 'T#', 'SCAN#'].map((prefix) => ({ Pattern: JSON.stringify({ dynamodb: { Keys: { SK: { S: [{ prefix }] } } } }) })),
        },
      });
      expect(resource('StreamForwarderDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    });

    it('publishes to the bus and to a worker queue that has an encrypted dead-letter queue after 5 receives', () => {
      const env = (functionByHandler(template(), HANDLER)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env).toEqual({ EVENT_BUS_NAME: { Ref: 'EventBus' }, EVENT_SOURCE: 'cargohold.ecr', WORKER_QUEUE_URL: { Ref: 'WorkerQueue' }, LOG_LEVEL: 'info', NODE_OPTIONS: '--enable-source-maps' });
      const queue = resource('WorkerQueue').Properties;
      expect(queue['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['WorkerDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
      expect(queue['SqsManagedSseEnabled']).toBe(true);
      expect(resource('WorkerDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    });

    it('may read the stream, put events on the bus and send to its two queues, and nothing else', () => {
      const [, fn] = functionByHandler(template(), HANDLER);
      const roleId = (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const grants = allowStatements(resource(roleId))
        .filter((statement) => statement.sid !== 'Logs')
        .flatMap((statement) => statement.actions.map((action) => [action, JSON.stringify(statement.resources)]));
      const stream = JSON.stringify([{ 'Fn::GetAtt': ['MetadataTable', 'StreamArn'] }]);
      expect(grants.sort()).toEqual(
        [
          ['dynamodb:DescribeStream', stream],
          ['dynamodb:GetRecords', stream],
          ['dynamodb:GetShardIterator', stream],
          ['dynamodb:ListStreams', stream],
          ['events:PutEvents', JSON.stringify([{ 'Fn::GetAtt': ['EventBus', 'Arn'] }])],
          ['sqs:SendMessage', JSON.stringify([{ 'Fn::GetAtt': ['StreamForwarderDeadLetterQueue', 'Arn'] }])],
          ['sqs:SendMessage', JSON.stringify([{ 'Fn::GetAtt': ['WorkerQueue', 'Arn'] }])],
        ].sort(),
      );
    });
  });

  describe('scanner', () => {
    const HANDLER = 'apps/scanner/src/main.lambda.handler';

    it('consumes the worker queue in small batches with partial batch failures', () => {
      const [functionId, fn] = functionByHandler(template(), HANDLER);
      expect(mappingsOf(template(), functionId)).toEqual([
        {
          EventSourceArn: { 'Fn::GetAtt': ['WorkerQueue', 'Arn'] },
          FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Enabled: true,
          BatchSize: 5,
          MaximumBatchingWindowInSeconds: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        },
      ]);
      // Lambda's SQS event source wants the queue's visibility timeout at six times the function's.
      expect(fn.Properties['Timeout']).toBe(900);
      expect(resource('WorkerQueue').Properties['VisibilityTimeout']).toBe(6 * 900);
    });

    it('gets storage only: no bus (results reach it through the table stream), token key or identities', () => {
      const env = (functionByHandler(template(), HANDLER)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env).toEqual({
        BUCKET: { Ref: 'BlobBucket' },
        TABLE: { Ref: 'MetadataTable' },
        LOG_LEVEL: 'info',
        NODE_OPTIONS: '--enable-source-maps',
        ...(stage === 'local' ? { S3_FORCE_PATH_STYLE: 'true' } : {}),
      });
    });

    it('may read blobs, read and write the table and consume its queue, and nothing else', () => {
      const [, fn] = functionByHandler(template(), HANDLER);
      const roleId = (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const grants = allowStatements(resource(roleId))
        .filter((statement) => statement.sid !== 'Logs')
        .flatMap((statement) => statement.actions.map((action) => [action, JSON.stringify(statement.resources)]));
      const blobs = JSON.stringify([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['BlobBucket', 'Arn'] }, '/blobs/*']] }]);
      const table = JSON.stringify([{ 'Fn::GetAtt': ['MetadataTable', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MetadataTable', 'Arn'] }, '/index/LSI1']] }]);
      const queue = JSON.stringify([{ 'Fn::GetAtt': ['WorkerQueue', 'Arn'] }]);
      expect(grants.sort()).toEqual(
        [
          ['s3:GetObject', blobs],
          ['s3:ListBucket', JSON.stringify([{ 'Fn::GetAtt': ['BlobBucket', 'Arn'] }])],
          ...['GetItem', 'Query', 'BatchGetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'].map((action) => [`dynamodb:${action}`, table]),
          ...['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((action) => [`sqs:${action}`, queue]),
        ].sort(),
      );
    });
  });

  describe('storage', () => {
    it('keeps blobs in an encrypted, private, owner-enforced bucket that aborts abandoned multipart uploads', () => {
      const bucket = resource('BlobBucket').Properties;
      expect(bucket['BucketEncryption']).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
      });
      expect(bucket['PublicAccessBlockConfiguration']).toEqual(ALL_FOUR_BLOCKED);
      expect(bucket['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(bucket['LifecycleConfiguration']).toEqual({
        Rules: [expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
      });
      expect(resource('BlobBucket').DeletionPolicy).toBe(stage === 'local' ? 'Delete' : 'Retain');
    });

    it('declares the metadata table exactly as TABLE_DEFINITION, with its stream, point-in-time recovery and SSE', () => {
      const table = resource('MetadataTable').Properties;
      const { StreamSpecification, ...definition } = TABLE_DEFINITION;
      expect(table).toMatchObject(JSON.parse(JSON.stringify(definition)));
      expect(Object.keys(table).sort()).toEqual(
        [...Object.keys(definition), 'StreamSpecification', 'PointInTimeRecoverySpecification', 'SSESpecification', 'TableName'].sort(),
      );
      expect(table['StreamSpecification']).toEqual({ StreamViewType: StreamSpecification?.StreamViewType });
      expect(StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(table['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table['SSESpecification']).toEqual({ SSEEnabled: true });
      expect(table['TableName']).toBe(`cargohold-${stage}`);
    });
  });

  describe('events', () => {
    it('forwards the ECR-shaped events on the cargohold bus (source cargohold.ecr) to the subscriber queue', () => {
      expect(resource('EventBus').Properties).toEqual({ Name: `cargohold-${stage}` });
      const rule = resource('EcrEventsRule').Properties;
      expect(rule['EventBusName']).toEqual({ Ref: 'EventBus' });
      expect(rule['EventPattern']).toEqual({ source: ['cargohold.ecr'], 'detail-type': ['ECR Image Action', 'ECR Image Scan'] });
      expect(rule['Targets']).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['EcrEventsQueue', 'Arn'] } })]);
      const policy = resource('EcrEventsQueuePolicy').Properties;
      expect(policy['Queues']).toEqual([{ Ref: 'EcrEventsQueue' }]);
      expect(JSON.stringify(policy['PolicyDocument'])).toContain('"aws:SourceArn":{"Fn::GetAtt":["EcrEventsRule","Arn"]}');
    });

    it('gives the scanner queue an encrypted dead-letter queue after 5 receives', () => {
      const queue = resource('EcrEventsQueue').Properties;
      expect(queue['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['EcrEventsDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
      expect(queue['SqsManagedSseEnabled']).toBe(true);
      expect(resource('EcrEventsDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    });
  });

  describe('IAM', () => {
    it('grants each function role only named actions, never on `*`', () => {
      const roles = resourcesOfType(template(), 'AWS::IAM::Role');
      expect(roles.length).toBeGreaterThanOrEqual(HANDLERS.length);
      for (const [id, role] of roles) {
        const statements = allowStatements(role);
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements) {
          for (const action of statement.actions) expect(`${id}: ${action}`).not.toMatch(/\*/);
          for (const target of statement.resources) expect(`${id}: ${JSON.stringify(target)}`).not.toMatch(/^[^:]+: "\*"$/);
        }
      }
    });

    it('lets the purge delete staged uploads and sessions but never write blobs or tags', () => {
      const [, purge] = functionByHandler(template(), 'apps/distribution-api/src/purge.lambda.handler');
      const roleId = (purge.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const actions = allowStatements(resource(roleId)).flatMap((s) => s.actions);
      expect(actions).not.toContain('s3:PutObject');
      expect(actions).not.toContain('dynamodb:PutItem');
      expect(actions).not.toContain('dynamodb:UpdateItem');
      expect(actions).toEqual(expect.arrayContaining(['s3:AbortMultipartUpload', 'dynamodb:Query', 'dynamodb:DeleteItem']));
    });
  });
});

describe('function bundles (--stage dev)', () => {
  let bundles: string;
  const sizes: Record<string, number> = {};

  /** The zip serverless wrote for a function: the basename of its Code.S3Key. */
  const zipOf = (handler: string) => (functionByHandler(templates.dev, handler)[1].Properties['Code'] as { S3Key: string }).S3Key.replace(/^.*\//, '');
  const bundleOf = (handler: string) => join(bundles, zipOf(handler), handlerEntry(handler).file);

  beforeAll(() => {
    bundles = join(work, 'unzipped');
    for (const handler of HANDLERS) {
      extractZip(join(work, 'dev', zipOf(handler)), join(bundles, zipOf(handler)));
      sizes[handler] = readFileSync(bundleOf(handler)).length;
    }
    process.stderr.write(`bundle sizes: ${Object.entries(sizes).map(([h, n]) => `${h} ${(n / 1024 / 1024).toFixed(2)} MiB`).join(', ')}\n`);
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
      event: httpApiEvent({ method: 'GET', path: '/v2/', routeKey: 'ANY /v2/{proxy+}' }),
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
        path: '/',
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

  describe('over DynamoDB (dynalite)', () => {
    let dynalite: Dynalite;
    beforeAll(async () => {
      dynalite = await startDynalite();
    });
    afterAll(async () => {
      await dynalite?.stop();
    });

    it('boots and runs a scheduled purge against DynamoDB (an empty table: nothing to expire)', async () => {
      const table = await dynalite.freshTable();
      // Storage only, as serverless.yml configures it: no token key, no identities.
      const { TOKEN_KEY_BASE64: _key, ALLOW_DEFAULT_IDENTITIES: _identities, ...storageEnv } = apiEnv;
      const report = await loadBundle(bundleOf('apps/distribution-api/src/purge.lambda.handler'), {
        event: scheduledEvent(),
        env: { ...storageEnv, TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint, LOG_LEVEL: 'info' },
      });
      expect(report.error).toBeUndefined();
      expect(report.output).toContain('"expired":0');
    });

    it('boots the scanner, acknowledges an event for an absent repository and fails a malformed record', async () => {
      const table = await dynalite.freshTable();
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
        env: { ...storageEnv, TABLE: table, AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint },
      });
      expect(report.error).toBeUndefined();
      expect(report.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'malformed' }] });
    });
  });

  function readZipsByFunction(): Record<string, Map<string, Buffer>> {
    const dir = join(work, 'dev');
    return Object.fromEntries(
      readdirSync(dir)
        .filter((file) => file.endsWith('.zip'))
        .map((file) => [file.slice(0, -'.zip'.length), readZip(join(dir, file))]),
    );
  }
});

function httpApiEvent(request: { method: string; path: string; routeKey: string; headers?: Record<string, string>; body?: string }) {
  const host = 'abcdef1234.execute-api.us-east-1.amazonaws.com';
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: '',
    headers: { host, 'user-agent': 'docker/27.3.1', 'x-forwarded-proto': 'https', ...request.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: host,
      domainPrefix: 'abcdef1234',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'docker/27.3.1' },
      requestId: 'bundle-check',
      routeKey: request.routeKey,
      stage: '$default',
      time: '29/Nov/2026:11:00:00 +0000',
      timeEpoch: 1795950000000,
    },
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: false,
  };
}

/** A tag INSERT as DynamoDB Streams hands it to Lambda (AWS's documented sample event, cargohold's item). */
function streamRecord() {
  const digest = `sha256:${'a'.repeat(64)}`;
  const pk = { S: 'REPO#123456789012:us-east-1#team/app' };
  return {
    eventID: 'c4ca4238a0b923820dcc509a6f75849b',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1795950000,
      Keys: { PK: pk, SK: { S: 'T#v1' } },
      NewImage: { PK: pk, SK: { S: 'T#v1' }, LSI1SK: { S: `TAGOF#${digest}#v1` }, digest: { S: digest }, tag: { S: 'v1' }, version: { N: '1' } },
      SequenceNumber: '4421584500000000017450439091',
      SizeBytes: 243,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/cargohold-dev/stream/2026-11-29T11:00:00.000',
  };
}

/** The event source mappings that invoke the function `functionId`. */
function mappingsOf(template: Template, functionId: string): Record<string, unknown>[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
    .map(([, mapping]) => mapping.Properties)
    .filter((properties) => JSON.stringify(properties['FunctionName']) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }));
}

/** An SQS record as Lambda's event source mapping delivers it (AWS's documented sample). */
function sqsRecord(messageId: string, body: string) {
  return {
    messageId,
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1795950000000', SenderId: 'AIDAIENQZJOLO23YVJ4VO', ApproximateFirstReceiveTimestamp: '1795950000001' },
    messageAttributes: {},
    md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:cargohold-dev-worker',
    awsRegion: 'us-east-1',
  };
}

function scheduledEvent() {
  return {
    version: '0',
    id: 'bundle-check',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-11-29T11:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/cargohold-dev-purge'],
    detail: {},
  };
}
