import { TABLE_DEFINITION } from '@cargohold/storage-dynamodb';
import { HANDLERS, STAGES, packagedStages, resourceOf, type Packaged } from './packaged';
import { type CfnResource, allowStatements, functionByHandler, resourcesOfType } from './template';

/**
 * `serverless package` for both stages, offline and without credentials (once per run: packaged.ts),
 * then the generated CloudFormation: the bucket, the table, the event bus and queues, and IAM.
 */

const ALL_FOUR_BLOCKED = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s', (stage) => {
  const template = () => packaged.templates[stage];
  const resource = (id: string): CfnResource => resourceOf(template(), id);

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
      expect(rule['EventPattern']).toEqual({
        source: ['cargohold.ecr'],
        'detail-type': ['ECR Image Action', 'ECR Image Scan', 'ECR Pull Through Cache Action'],
      });
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

    it('lets only the /v2/, ECR API, cache-refresh, cache-syncer and upload gateway roles read secrets, and only the pull-through cache’s (ecr-pullthroughcache/*)', () => {
      const readers = resourcesOfType(template(), 'AWS::IAM::Role').filter(([, role]) =>
        allowStatements(role).some((statement) => statement.actions.some((action) => action.startsWith('secretsmanager:'))),
      );
      // The upload gateway (where the stage runs one) fills the /v2/ function's pull-through blob misses.
      const gateway = resourcesOfType(template(), 'AWS::IAM::Role').some(([id]) => id === 'UploadGatewayTaskRole') ? ['UploadGatewayTaskRole'] : [];
      expect(readers.map(([id]) => id).sort()).toEqual(['CacheRefreshRole', 'CacheSyncerRole', 'DistributionApiRole', 'EcrApiRole', ...gateway]);
      for (const [, role] of readers) {
        const secrets = allowStatements(role).filter((statement) => statement.actions.some((action) => action.startsWith('secretsmanager:')));
        expect(secrets.flatMap((statement) => statement.actions)).toEqual(['secretsmanager:GetSecretValue']);
        expect(JSON.stringify(secrets.flatMap((statement) => statement.resources))).toMatch(/:secret:ecr-pullthroughcache\/\*"\]\]\}\]$/);
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
