import { STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { type CfnResource, allowStatements, functionByHandler, resourcesOfType } from './template';

/**
 * `serverless package` for both stages (once per run: packaged.ts), then the generated CloudFormation of
 * online garbage collection: a daily EventBridge rule invoking the gc function, its configuration, and its
 * role's exact grants (resources/gc.yml): the adapter's prefixes of the bucket and the table, nothing else.
 */

const GC = 'apps/lifecycle-sweeper/src/gc.lambda.handler';

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s: garbage collection', (stage) => {
  const template = () => packaged.templates[stage];
  const resource = (id: string): CfnResource => resourceOf(template(), id);
  const bucket = { 'Fn::GetAtt': ['BlobBucket', 'Arn'] };
  const under = (prefix: string) => ({ 'Fn::Join': ['', [bucket, `/${prefix}/*`]] });
  const table = { 'Fn::GetAtt': ['MetadataTable', 'Arn'] };

  it('runs the gc function daily at 03:00 UTC with Lambda’s longest timeout, allowed to be invoked by that rule only', () => {
    const [gcId, gc] = functionByHandler(template(), GC);
    expect(gc.Properties).toMatchObject({ Timeout: 900, MemorySize: 512, Role: { 'Fn::GetAtt': ['GcRole', 'Arn'] } });
    const rules = resourcesOfType(template(), 'AWS::Events::Rule').filter(([, rule]) => JSON.stringify(rule.Properties['Targets']).includes(gcId));
    expect(rules.map(([, rule]) => [rule.Properties['ScheduleExpression'], rule.Properties['State']])).toEqual([['cron(0 3 * * ? *)', 'ENABLED']]);
    const [ruleId] = rules[0] ?? [''];
    const permissions = resourcesOfType(template(), 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((properties) => JSON.stringify(properties['FunctionName']).includes(gcId));
    expect(permissions).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } }),
    ]);
  });

  it('gives it storage and the grace period only: no queue, bus, token key or identities', () => {
    const env = (functionByHandler(template(), GC)[1].Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(env).toEqual({
      BUCKET: { Ref: 'BlobBucket' },
      TABLE: { Ref: 'MetadataTable' },
      GC_GRACE_SECONDS: '86400',
      LOG_LEVEL: 'info',
      NODE_OPTIONS: '--enable-source-maps',
      ...(stage === 'local' ? { S3_FORCE_PATH_STYLE: 'true' } : {}),
    });
  });

  it('lets its role list and reclaim the adapter’s prefixes and use the table, and nothing else', () => {
    const role = resource('GcRole');
    const statements = allowStatements(role).filter((statement) => statement.sid !== 'Logs');
    const grants = statements.flatMap((statement) => statement.actions.map((action) => [action, JSON.stringify(statement.resources)])).sort();
    const objects = JSON.stringify([under('blobs'), under('data'), under('uploads')]);
    const metadata = JSON.stringify([table, { 'Fn::Join': ['', [table, '/index/GSI1']] }]);
    expect(grants).toEqual(
      [
        ['s3:ListBucket', JSON.stringify([bucket])],
        ['s3:ListBucketMultipartUploads', JSON.stringify([bucket])],
        ...['GetObject', 'DeleteObject', 'AbortMultipartUpload'].map((action) => [`s3:${action}`, objects]),
        ...['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem', 'BatchWriteItem'].map((action) => [`dynamodb:${action}`, metadata]),
      ].sort(),
    );
    const policy = (role.Properties['Policies'] as { PolicyDocument: { Statement: Record<string, unknown>[] } }[])[0]?.PolicyDocument.Statement ?? [];
    expect(policy.find((statement) => statement['Sid'] === 'BlobListing')?.['Condition']).toEqual({ StringLike: { 's3:prefix': ['blobs/*', 'uploads/*'] } });
    const logs = allowStatements(role).filter((statement) => statement.sid === 'Logs');
    expect(logs.map((statement) => statement.actions)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
    expect(JSON.stringify(logs[0]?.resources)).toContain(`:log-group:/aws/lambda/cargohold-${stage}-gc:*`);
  });
});
