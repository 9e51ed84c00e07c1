import { STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { type CfnResource, allowStatements, functionByHandler, mappingsOf } from './template';

/**
 * `serverless package` for both stages, offline and without credentials (once per run: packaged.ts),
 * then the generated CloudFormation: the two workers, stream-forwarder and scanner: what invokes them, what they
 * are configured with, and what their roles may do.
 */

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s', (stage) => {
  const template = () => packaged.templates[stage];
  const resource = (id: string): CfnResource => resourceOf(template(), id);

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
          Filters: ['M#', 'T#', 'SCAN#', 'REPL#'].map((prefix) => ({ Pattern: JSON.stringify({ dynamodb: { Keys: { SK: { S: [{ prefix }] } } } }) })),
        },
      });
      expect(resource('StreamForwarderDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    });

    it('publishes to the bus and to a worker queue that has an encrypted dead-letter queue after 5 receives', () => {
      const env = (functionByHandler(template(), HANDLER)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env).toEqual({
        EVENT_BUS_NAME: { Ref: 'EventBus' },
        EVENT_SOURCE: 'cargohold.ecr',
        WORKER_QUEUE_URL: { Ref: 'WorkerQueue' },
        REPLICATOR_QUEUE_URL: { Ref: 'ReplicatorQueue' },
        LOG_LEVEL: 'info',
        NODE_OPTIONS: '--enable-source-maps',
      });
      const queue = resource('WorkerQueue').Properties;
      expect(queue['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['WorkerDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
      expect(queue['SqsManagedSseEnabled']).toBe(true);
      expect(resource('WorkerDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    });

    it('may read the stream, put events on the bus and send to its three queues, and nothing else', () => {
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
          ['sqs:SendMessage', JSON.stringify([{ 'Fn::GetAtt': ['ReplicatorQueue', 'Arn'] }])],
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
      // A blob is its object under blobs/, or a pointer there to the data object under data/ holding its bytes.
      const blobs = JSON.stringify(['/blobs/*', '/data/*'].map((prefix) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['BlobBucket', 'Arn'] }, prefix]] })));
      const table = JSON.stringify([
        { 'Fn::GetAtt': ['MetadataTable', 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MetadataTable', 'Arn'] }, '/index/LSI1']] },
      ]);
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
});
