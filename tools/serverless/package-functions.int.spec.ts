import { HANDLERS, STAGES, packagedStages, type Packaged } from './packaged';
import { runtimeProblem } from './lambda-runtimes';
import { allowStatements, functionByHandler, resourcesOfType, type CfnResource } from './template';

/**
 * `serverless package` for both stages, offline and without credentials (once per run: packaged.ts),
 * then the generated CloudFormation: the functions serverless.yml declares, their runtime, routes, schedule and
 * configuration.
 */

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

describe.each(STAGES)('serverless package --stage %s', (stage) => {
  const template = () => packaged.templates[stage];

  describe('functions', () => {
    it('declares a function for every Lambda entry in apps/, on a Node.js runtime Lambda has not deprecated, arm64, each with its own role', () => {
      expect(HANDLERS).toEqual(
        expect.arrayContaining([
          'apps/distribution-api/src/main.lambda.handler',
          'apps/ecr-api/src/main.lambda.handler',
          'apps/distribution-api/src/purge.lambda.handler',
        ]),
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
      expect(schedules.map(([, rule]) => rule.Properties['ScheduleExpression'])).toEqual(['rate(15 minutes)', 'rate(1 day)', 'cron(0 3 * * ? *)']);
      expect(JSON.stringify(schedules[0]?.[1].Properties['Targets'])).toContain(purgeId);
    });

    it('re-checks the pull-through cache’s tags daily, with the /v2/ function’s permissions and configuration', () => {
      const [refreshId, refresh] = functionByHandler(template(), 'apps/distribution-api/src/refresh.lambda.handler');
      const [, api] = functionByHandler(template(), 'apps/distribution-api/src/main.lambda.handler');
      const schedules = resourcesOfType(template(), 'AWS::Events::Rule').filter(([, rule]) => rule.Properties['ScheduleExpression'] === 'rate(1 day)');
      expect(JSON.stringify(schedules[0]?.[1].Properties['Targets'])).toContain(refreshId);
      const actions = (fn: CfnResource) =>
        allowStatements(template().Resources[(fn.Properties['Role'] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]] as CfnResource)
          .flatMap((statement) => statement.actions)
          .sort();
      expect(actions(refresh)).toEqual(actions(api));
      const { UPLOAD_GATEWAY_URL: _gateway, ...apiEnv } = (api.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect((refresh.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables).toEqual(apiEnv);
    });

    it('gives the API functions their configuration and the purge its storage only', () => {
      const env = (handler: string) => functionByHandler(template(), handler)[1].Properties['Environment'] as { Variables: Record<string, unknown> };
      const { UPLOAD_GATEWAY_URL: uploadGatewayUrl, ...api } = env('apps/distribution-api/src/main.lambda.handler').Variables;
      // The same configuration, except where /v2/ upload sessions live: only distribution-api creates them
      // (dev has the upload gateway, local has none: package-upload-gateway.int.spec.ts).
      expect(env('apps/ecr-api/src/main.lambda.handler').Variables).toEqual(api);
      expect(uploadGatewayUrl === undefined).toBe(stage === 'local');
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
});
