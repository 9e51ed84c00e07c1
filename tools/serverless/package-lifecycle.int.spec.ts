import { STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { type CfnResource, allowStatements, functionByHandler, mappingsOf, resourcesOfType } from './template';

/**
 * `serverless package` for both stages (once per run: packaged.ts), then the generated CloudFormation of
 * the lifecycle sweeper: a daily EventBridge schedule fanning out to a queue with a dead-letter queue, a
 * worker consuming it one repository at a time, and what each role may do.
 */

const SCHEDULE = 'apps/lifecycle-sweeper/src/schedule.lambda.handler';
const WORKER = 'apps/lifecycle-sweeper/src/worker.lambda.handler';

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s: lifecycle sweeper', (stage) => {
  const template = () => packaged.templates[stage];
  const resource = (id: string): CfnResource => resourceOf(template(), id);
  const grantsOf = (handler: string) => {
    const roleId = (functionByHandler(template(), handler)[1].Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return allowStatements(resource(roleId))
      .filter((statement) => statement.sid !== 'Logs')
      .flatMap((statement) => statement.actions.map((action) => [action, JSON.stringify(statement.resources)]))
      .sort();
  };
  const queue = JSON.stringify([{ 'Fn::GetAtt': ['LifecycleSweepQueue', 'Arn'] }]);

  it('runs the schedule daily through EventBridge Scheduler, with a role that may only invoke it', () => {
    const [scheduleId] = functionByHandler(template(), SCHEDULE);
    const schedules = resourcesOfType(template(), 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const properties = schedules[0]?.[1].Properties ?? {};
    expect(properties['ScheduleExpression']).toBe('rate(1 day)');
    expect(properties['Target']).toMatchObject({ Arn: { 'Fn::GetAtt': [scheduleId, 'Arn'] }, RoleArn: { 'Fn::GetAtt': ['LifecycleSchedulerRole', 'Arn'] } });
    const invoke = allowStatements(resource('LifecycleSchedulerRole')).flatMap((s) => s.actions.map((action) => [action, JSON.stringify(s.resources)]));
    expect(invoke).toEqual([['lambda:InvokeFunction', JSON.stringify([{ 'Fn::GetAtt': [scheduleId, 'Arn'] }])]]);
  });

  it('fans out to an encrypted queue with a dead-letter queue after 5 receives, consumed one repository per invocation', () => {
    const [workerId, worker] = functionByHandler(template(), WORKER);
    const sweepQueue = resource('LifecycleSweepQueue').Properties;
    expect(sweepQueue['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['LifecycleSweepDeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    expect(sweepQueue['SqsManagedSseEnabled']).toBe(true);
    expect(resource('LifecycleSweepDeadLetterQueue').Properties['SqsManagedSseEnabled']).toBe(true);
    expect(mappingsOf(template(), workerId)).toEqual([
      {
        EventSourceArn: { 'Fn::GetAtt': ['LifecycleSweepQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': [workerId, 'Arn'] },
        Enabled: true,
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    expect(sweepQueue['VisibilityTimeout']).toBe(6 * (worker.Properties['Timeout'] as number));
  });

  it('gives both functions storage and the queue only: no bus, token key or identities', () => {
    for (const handler of [SCHEDULE, WORKER]) {
      const env = (functionByHandler(template(), handler)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env).toEqual({
        BUCKET: { Ref: 'BlobBucket' },
        TABLE: { Ref: 'MetadataTable' },
        SWEEP_QUEUE_URL: { Ref: 'LifecycleSweepQueue' },
        LOG_LEVEL: 'info',
        NODE_OPTIONS: '--enable-source-maps',
        ...(stage === 'local' ? { S3_FORCE_PATH_STYLE: 'true' } : {}),
      });
    }
  });

  it('lets the ECR API request a sweep after PutLifecyclePolicy: its queue URL and sqs:SendMessage on that queue only', () => {
    const [, ecrApi] = functionByHandler(template(), 'apps/ecr-api/src/main.lambda.handler');
    expect((ecrApi.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables['SWEEP_QUEUE_URL']).toEqual({ Ref: 'LifecycleSweepQueue' });
    const sends = allowStatements(resource('EcrApiRole')).filter((statement) => statement.actions.some((action) => action.startsWith('sqs:')));
    // The sweep queue, and the replicator's for StartReplicationBackfill (package-replicator.int.spec.ts): nothing else.
    expect(sends.map((statement) => [statement.actions, JSON.stringify(statement.resources)])).toEqual([
      [['sqs:SendMessage'], queue],
      [['sqs:SendMessage'], JSON.stringify([{ 'Fn::GetAtt': ['ReplicatorQueue', 'Arn'] }])],
    ]);
  });

  it('lets the schedule query the LIFECYCLE index and send requests, and the worker edit the table and consume the queue', () => {
    const table = JSON.stringify([
      { 'Fn::GetAtt': ['MetadataTable', 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MetadataTable', 'Arn'] }, '/index/LSI1']] },
    ]);
    expect(grantsOf(SCHEDULE)).toEqual([
      ['dynamodb:Query', JSON.stringify([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MetadataTable', 'Arn'] }, '/index/GSI1']] }])],
      ['sqs:SendMessage', queue],
    ]);
    expect(grantsOf(WORKER)).toEqual(
      [
        ...['GetItem', 'Query', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'].map((action) => [`dynamodb:${action}`, table]),
        ...['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((action) => [`sqs:${action}`, queue]),
      ].sort(),
    );
  });
});
