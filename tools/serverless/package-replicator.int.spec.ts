import { STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { type CfnResource, allowStatements, functionByHandler, mappingsOf } from './template';

/** `serverless package` (packaged.ts), then the replicator: its queue and rule, its configuration, its role. */

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s: replicator', (stage) => {
  const HANDLER = 'apps/replicator/src/main.lambda.handler';
  const template = () => packaged.templates[stage];
  const resource = (id: string): CfnResource => resourceOf(template(), id);

  it('consumes its own queue, fed by the stream forwarder, with an encrypted DLQ after 5 receives', () => {
    const [functionId, fn] = functionByHandler(template(), HANDLER);
    expect(mappingsOf(template(), functionId)).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': ['ReplicatorQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Enabled: true,
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    expect(resource('ReplicatorQueue').Properties['VisibilityTimeout']).toBe(6 * (fn.Properties['Timeout'] as number));
    expect(resource('ReplicatorQueue').Properties['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['ReplicatorDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(resource('ReplicatorDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    const forwarder = functionByHandler(template(), 'apps/stream-forwarder/src/main.lambda.handler')[1];
    expect((forwarder.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['REPLICATOR_QUEUE_URL']).toEqual({
      Ref: 'ReplicatorQueue',
    });
  });

  it('gets storage, the other regions’ tables and its own queue, no bus, token key or identities', () => {
    const env = (functionByHandler(template(), HANDLER)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env).toEqual({
      BUCKET: { Ref: 'BlobBucket' },
      TABLE: { Ref: 'MetadataTable' },
      REPLICA_TABLES: '{}',
      REPLICATOR_QUEUE_URL: { Ref: 'ReplicatorQueue' },
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '--enable-source-maps',
      ...(stage === 'local' ? { S3_FORCE_PATH_STYLE: 'true' } : {}),
    });
  });

  it('may read and re-put blobs, copy them into this stage’s other buckets, write its tables in any region, consume its queue and continue backfills on it, and nothing else', () => {
    const [, fn] = functionByHandler(template(), HANDLER);
    const roleId = (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const grants = allowStatements(resource(roleId))
      .filter((statement) => statement.sid !== 'Logs')
      .flatMap((statement) => statement.actions.map((action) => [action, JSON.stringify(statement.resources)]));
    const actions = grants.map(([action]) => action).sort();
    expect(actions).toEqual(
      [
        's3:GetObject',
        's3:PutObject',
        's3:ListBucket',
        's3:GetObject',
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:ListBucket',
        ...['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'Query', 'BatchWriteItem'].map((a) => `dynamodb:${a}`),
        ...['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'SendMessage'].map((a) => `sqs:${a}`),
      ].sort(),
    );
    // Backfill continuations go back on its own queue only.
    expect(grants.filter(([action]) => action === 'sqs:SendMessage').map(([, resources]) => resources)).toEqual([
      JSON.stringify([{ 'Fn::GetAtt': ['ReplicatorQueue', 'Arn'] }]),
    ]);
    const tables = grants.find(([action]) => action === 'dynamodb:PutItem')?.[1] ?? '';
    expect(tables).toContain(`:table/cargohold-${stage}*`);
    const replicaBlobs = grants.find(([action]) => action === 's3:AbortMultipartUpload')?.[1] ?? '';
    expect(replicaBlobs).toContain(`:s3:::cargohold-${stage}-blobbucket-*/blobs/*`);
  });

  it('lets the ECR API queue replication backfills: its queue URL and sqs:SendMessage on that queue', () => {
    const [, ecrApi] = functionByHandler(template(), 'apps/ecr-api/src/main.lambda.handler');
    expect((ecrApi.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['REPLICATOR_QUEUE_URL']).toEqual({ Ref: 'ReplicatorQueue' });
    const sends = allowStatements(resource('EcrApiRole')).filter((statement) => statement.sid === 'BackfillRequests');
    expect(sends.map((statement) => [statement.actions, JSON.stringify(statement.resources)])).toEqual([
      [['sqs:SendMessage'], JSON.stringify([{ 'Fn::GetAtt': ['ReplicatorQueue', 'Arn'] }])],
    ]);
  });
});
