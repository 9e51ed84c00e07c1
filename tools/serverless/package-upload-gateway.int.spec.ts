import { LOCAL_WITH_GATEWAY, packagedStages, resourceOf, type PackageName, type Packaged } from './packaged';
import { type CfnResource, type Template, allowStatements, functionByHandler, resourcesOfType } from './template';

/**
 * The upload gateway in the packaged templates (once per run: packaged.ts): `dev` has it (HTTPS), the
 * `local` stage turns it off (LocalStack has no ECS), and `local` with `--param uploadGateway=true` has it
 * (HTTP, as that stage says). The bundle the task runs is checked in package-upload-gateway-bundle.
 */

const DISTRIBUTION_API = 'apps/distribution-api/src/main.lambda.handler';

let packaged: Packaged;

beforeAll(async () => {
  packaged = await packagedStages();
});

const fnJoin = (value: unknown) => (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

describe.each([
  { name: 'dev' as PackageName, scheme: 'https', port: 443 },
  { name: LOCAL_WITH_GATEWAY as PackageName, scheme: 'http', port: 80 },
])('serverless package: $name has the upload gateway', ({ name, scheme, port }) => {
  const template = (): Template => packaged.templates[name];
  const resource = (id: string): CfnResource => resourceOf(template(), id);
  const taskDefinition = () => resource('UploadGatewayTaskDefinition').Properties;
  const containers = () => taskDefinition()['ContainerDefinitions'] as Record<string, unknown>[];
  const gateway = () => containers().find((c) => c['Name'] === 'upload-gateway') as Record<string, unknown>;

  it('runs cargohold serve --role upload-gateway on Fargate ARM64, Node 24, over the stack bucket and table', () => {
    expect(taskDefinition()).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'bundle' }],
    });
    // The functions' Node major (nodejs24.x): a runtime bump must bump the task's image too.
    const runtimes = [...new Set(resourcesOfType(template(), 'AWS::Lambda::Function').map(([, fn]) => String(fn.Properties['Runtime'])))];
    expect(runtimes).toEqual([expect.stringMatching(/^nodejs\d+\.x$/)]);
    const major = String(runtimes[0]).replace(/^nodejs(\d+)\.x$/, '$1');
    expect(gateway()['Image']).toBe(`public.ecr.aws/docker/library/node:${major}-slim`);
    expect(gateway()['Command']).toEqual([
      'node',
      '--max-semi-space-size=2',
      '/opt/cargohold/cargohold.js',
      ...['serve', '--backend', 'aws', '--role', 'upload-gateway', '--host', '0.0.0.0', '--port', '8080'],
      ...['--bucket', { Ref: 'BlobBucket' }, '--table', { Ref: 'MetadataTable' }, '--data-dir', '/tmp/cargohold', '--shutdown-grace', '110'],
    ]);
    // The server's grace ends before ECS kills the container.
    expect(gateway()['StopTimeout']).toBe(120);
    // The bundle reaches the volume first: the gateway waits for the fetch to succeed.
    expect(gateway()['DependsOn']).toEqual([{ ContainerName: 'fetch-bundle', Condition: 'SUCCESS' }]);
    const fetch = containers().find((c) => c['Name'] === 'fetch-bundle') as Record<string, unknown>;
    expect(fetch['Essential']).toBe(false);
    const [, parts] = fnJoin((fetch['Command'] as unknown[])[3]);
    expect(parts.slice(0, 3)).toEqual(['s3://', { Ref: 'ServerlessDeploymentBucket' }, '/']);
    expect(parts[3]).toMatch(/\/upload-gateway-[0-9a-f]{16}\.js$/);
    expect(JSON.stringify(gateway()['LogConfiguration'])).toContain('"awslogs-group":{"Ref":"UploadGatewayLogGroup"}');
  });

  it('passes the token key and identities as ECS secrets from SSM, or as plain values where the stage has literals', () => {
    const environment = Object.fromEntries((gateway()['Environment'] as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    const secrets = Object.fromEntries((gateway()['Secrets'] as { Name: string; ValueFrom: unknown }[]).map((s) => [s.Name, s.ValueFrom]));
    expect(environment['AWS_REGION']).toEqual({ Ref: 'AWS::Region' });
    const stage = name === 'dev' ? 'dev' : 'local';
    expect(fnJoin(secrets['CARGOHOLD_IDENTITIES_JSON'])[1].at(-1)).toBe(`:parameter/cargohold/${stage}/identities`);
    if (name === 'dev') {
      expect(fnJoin(secrets['CARGOHOLD_TOKEN_KEY_BASE64'])[1].at(-1)).toBe(':parameter/cargohold/dev/token-key');
      expect(Object.keys(environment)).toEqual(['AWS_REGION']);
    } else {
      // The local stage's fixed LocalStack key, as its Lambdas get it.
      expect(environment['CARGOHOLD_TOKEN_KEY_BASE64']).toBe(functionEnv(template())['TOKEN_KEY_BASE64']);
      expect(Object.keys(secrets)).toEqual(['CARGOHOLD_IDENTITIES_JSON']);
    }
    const execution = allowStatements(resource('UploadGatewayExecutionRole'));
    expect(execution.map((s) => s.actions)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents'], ['ssm:GetParameters']]);
  });

  it(`serves ${scheme} on ${port} through an internet-facing load balancer, health-checked on GET /healthz`, () => {
    expect(resource('UploadGatewayLoadBalancer').Properties).toMatchObject({ Type: 'application', Scheme: 'internet-facing' });
    const listener = resource('UploadGatewayListener').Properties;
    expect(listener).toMatchObject({
      Protocol: scheme.toUpperCase(),
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'UploadGatewayTargetGroup' } }],
    });
    if (scheme === 'https') expect(listener['Certificates']).toHaveLength(1);
    else expect(listener['Certificates']).toBeUndefined();
    expect(resource('UploadGatewayTargetGroup').Properties).toMatchObject({
      TargetType: 'ip',
      Port: 8080,
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
    });
    // Only the listener's port is open to the world; the tasks take 8080 from the load balancer only.
    expect(resource('UploadGatewayListenerIngress').Properties).toMatchObject({ FromPort: port, ToPort: port, CidrIp: '0.0.0.0/0' });
    expect(resource('UploadGatewayLoadBalancerSecurityGroup').Properties['SecurityGroupIngress']).toBeUndefined();
    expect(resource('UploadGatewayTaskSecurityGroup').Properties['SecurityGroupIngress']).toEqual([
      { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: { Ref: 'UploadGatewayLoadBalancerSecurityGroup' } },
    ]);
    const service = resource('UploadGatewayService').Properties;
    expect(service).toMatchObject({ LaunchType: 'FARGATE', LoadBalancers: [{ ContainerName: 'upload-gateway', ContainerPort: 8080 }] });
    expect(JSON.stringify(service['NetworkConfiguration'])).toContain('"AssignPublicIp":"ENABLED"');
    // No NAT gateway: the cost floor is the load balancer and the task (README).
    expect(resourcesOfType(template(), 'AWS::EC2::NatGateway')).toEqual([]);
  });

  it('scales the service on requests per task, from one task to the stage maximum', () => {
    const target = resource('UploadGatewayScalableTarget').Properties;
    expect(target).toMatchObject({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 4 });
    expect(refersTo(target['ResourceId'], 'UploadGatewayService')).toBe(true);
    const policy = resource('UploadGatewayScalingPolicy').Properties;
    expect(policy).toMatchObject({ PolicyType: 'TargetTrackingScaling', ScalingTargetId: { Ref: 'UploadGatewayScalableTarget' } });
    expect(policy['TargetTrackingScalingPolicyConfiguration']).toMatchObject({
      PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
    });
    // No DesiredCount: a stack update must not reset what auto scaling chose.
    expect(resource('UploadGatewayService').Properties['DesiredCount']).toBeUndefined();
  });

  it("limits the task role to this stack's bucket and table (and one read of its own bundle), and the pull-through cache's secrets", () => {
    const all = allowStatements(resource('UploadGatewayTaskRole'));
    const secrets = all.filter((s) => s.sid === 'PullThroughSecrets');
    const statements = all.filter((s) => s.sid !== 'PullThroughSecrets');
    const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['BlobListing', 'Blobs', 'Bundle', 'Metadata']);
    expect(secrets.flatMap((s) => s.actions)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(secrets.flatMap((s) => s.resources))).toMatch(/:secret:ecr-pullthroughcache\/\*"\]\]\}\]$/);
    for (const { sid, actions, resources } of statements) {
      for (const action of actions) expect(`${sid}: ${action}`).toMatch(/^[^:]+: (s3|dynamodb):[A-Za-z]+$/);
      expect(resources.length).toBeGreaterThan(0);
      for (const target of resources) {
        expect(target).not.toBe('*');
        const owner = sid === 'Metadata' ? 'MetadataTable' : sid === 'Bundle' ? 'ServerlessDeploymentBucket' : 'BlobBucket';
        expect(`${sid}: ${refersTo(target, owner)}`).toBe(`${sid}: true`);
      }
    }
    expect(bySid['Blobs']?.actions.sort()).toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(bySid['Blobs']?.resources).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['BlobBucket', 'Arn'] }, '/*']] }]);
    expect(bySid['BlobListing']).toMatchObject({ actions: ['s3:ListBucket'], resources: [{ 'Fn::GetAtt': ['BlobBucket', 'Arn'] }] });
    expect(bySid['Metadata']?.resources).toEqual([
      { 'Fn::GetAtt': ['MetadataTable', 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['MetadataTable', 'Arn'] }, '/index/*']] },
    ]);
    expect(bySid['Metadata']?.actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query']),
    );
    // The bundle: GetObject of the one key the fetch container copies, nothing else of the deployment bucket.
    const [, bundleArn] = fnJoin(bySid['Bundle']?.resources[0]);
    expect(bySid['Bundle']?.actions).toEqual(['s3:GetObject']);
    expect(bundleArn.at(-1)).toMatch(/^serverless\/cargohold\/[a-z]+\/[^*]+\/upload-gateway-[0-9a-f]{16}\.js$/);
  });

  it(`points distribution-api's upload sessions at ${scheme}://<load balancer>, and outputs that URL`, () => {
    const url = { 'Fn::Join': ['', [`${scheme}://`, { 'Fn::GetAtt': ['UploadGatewayLoadBalancer', 'DNSName'] }]] };
    expect(functionEnv(template())['UPLOAD_GATEWAY_URL']).toEqual(url);
    expect(template().Outputs?.['UploadGatewayUrl']).toMatchObject({ Value: url });
    // ecr-api never creates upload sessions on /v2/.
    const [, ecrApi] = functionByHandler(template(), 'apps/ecr-api/src/main.lambda.handler');
    expect(JSON.stringify(ecrApi.Properties['Environment'])).not.toContain('UPLOAD_GATEWAY_URL');
  });
});

describe('serverless package: local (uploadGateway false) has no upload gateway', () => {
  it('creates none of its resources, no URL in distribution-api, no output', () => {
    const template = packaged.templates.local;
    const gatewayTypes = /^AWS::(ECS|ElasticLoadBalancingV2|ApplicationAutoScaling|EC2)::/;
    expect(Object.entries(template.Resources).filter(([id, r]) => id.startsWith('UploadGateway') || gatewayTypes.test(r.Type))).toEqual([]);
    expect(JSON.stringify(template)).not.toContain('UPLOAD_GATEWAY_URL');
    expect(template.Outputs?.['UploadGatewayUrl']).toBeUndefined();
    // The rest of the API's environment is the stage's own.
    expect(functionEnv(template)).toMatchObject({ ALLOW_DEFAULT_IDENTITIES: 'true', S3_FORCE_PATH_STYLE: 'true' });
  });
});

function functionEnv(template: Template): Record<string, unknown> {
  const [, fn] = functionByHandler(template, DISTRIBUTION_API);
  return (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
}
