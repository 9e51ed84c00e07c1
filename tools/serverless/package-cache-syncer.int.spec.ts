import { STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { type CfnResource, allowStatements, functionByHandler, mappingsOf } from './template';

/** `serverless package` (packaged.ts), then the pull-through cache-syncer worker: its queue, who sends to it, its configuration, its role. */

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s: cache-syncer', (stage) => {
  const HANDLER = 'apps/distribution-api/src/cache-syncer.lambda.handler';
  const template = () => packaged.templates[stage];
  const resource = (id: string): CfnResource => resourceOf(template(), id);
  const roleOf = (fn: CfnResource) => resource((fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
  const envOf = (handler: string) => (functionByHandler(template(), handler)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;

  it('consumes its own queue one image per invocation, with partial batch failures and an encrypted DLQ after 5 receives', () => {
    const [functionId, fn] = functionByHandler(template(), HANDLER);
    expect(mappingsOf(template(), functionId)).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': ['CacheSyncerQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Enabled: true,
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    expect(fn.Properties['Timeout']).toBe(900);
    expect(resource('CacheSyncerQueue').Properties['VisibilityTimeout']).toBe(6 * (fn.Properties['Timeout'] as number));
    expect(resource('CacheSyncerQueue').Properties['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['CacheSyncerDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(resource('CacheSyncerQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    expect(resource('CacheSyncerDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
  });

  it('is fed by the /v2/ function, which may send to its queue, and runs with the /v2/ function’s configuration', () => {
    const [, api] = functionByHandler(template(), 'apps/distribution-api/src/main.lambda.handler');
    const sends = allowStatements(roleOf(api)).filter((statement) => statement.actions.includes('sqs:SendMessage'));
    expect(sends.map((statement) => statement.resources)).toEqual([[{ 'Fn::GetAtt': ['CacheSyncerQueue', 'Arn'] }]]);
    const { UPLOAD_GATEWAY_URL: _gateway, ...apiEnv } = envOf('apps/distribution-api/src/main.lambda.handler');
    expect(apiEnv['CACHE_SYNC_QUEUE_URL']).toEqual({ Ref: 'CacheSyncerQueue' });
    expect(envOf(HANDLER)).toEqual(apiEnv);
  });

  it('may store blobs and metadata, read pull-through secrets, publish on the bus and consume its queue, and nothing else', () => {
    const [, fn] = functionByHandler(template(), HANDLER);
    const grants = allowStatements(roleOf(fn))
      .filter((statement) => statement.sid !== 'Logs')
      .flatMap((statement) => statement.actions.map((action) => [action, JSON.stringify(statement.resources)] as const));
    expect(grants.map(([action]) => action).sort()).toEqual(
      [
        ...['GetObject', 'PutObject', 'DeleteObject', 'AbortMultipartUpload', 'ListMultipartUploadParts', 'ListBucket'].map((a) => `s3:${a}`),
        ...['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'Query', 'BatchWriteItem'].map((a) => `dynamodb:${a}`),
        'events:PutEvents',
        'secretsmanager:GetSecretValue',
        ...['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((a) => `sqs:${a}`),
      ].sort(),
    );
    for (const [action, resources] of grants.filter(([action]) => action.startsWith('sqs:'))) {
      expect(`${action} ${resources}`).toBe(`${action} ${JSON.stringify([{ 'Fn::GetAtt': ['CacheSyncerQueue', 'Arn'] }])}`);
    }
  });

  it('alarms on its dead-letter queue', () => {
    const alarm = resource('CacheSyncerDeadLetterQueueAlarm').Properties;
    expect(alarm['Dimensions']).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['CacheSyncerDeadLetterQueue', 'QueueName'] } }]);
  });
});
