import type { HttpRequest } from '@cargohold/lambda-kit';
import { RegistryError } from '@cargohold/oci';
import { createRegistry, type AccessVerdict } from '@cargohold/registry-core';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { AwsError } from './aws-errors';
import { createEcrApi, TARGET_PREFIX, type EcrApiDeps } from './ecr-api';

function request(target: string | undefined, body: string): HttpRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { host: 'localhost:5000', 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) },
    body: (async function* () {
      yield Buffer.from(body);
    })(),
  };
}

function api(overrides: Partial<EcrApiDeps> = {}) {
  return createEcrApi({
    registry: createRegistry({ storage: createMemoryStorage() }),
    authenticate: async () => ({ principal: { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/admin' }, region: 'us-east-1' }),
    authorize: async (checks) => checks.map((): AccessVerdict => ({ decision: 'Allow', statement: { source: 'identity', policyIndex: 0, statementIndex: 0 } })),
    pageTokenKey: Buffer.alloc(32, 7),
    services: { issueToken: () => ({ token: 't', expiresAt: new Date(0) }), downloadUrl: () => 'u', validatePolicy: () => undefined },
    registryDomain: 'localhost',
    defaultRegistry: '000000000000:us-east-1',
    ...overrides,
  });
}

const errorOf = (body: unknown) => JSON.parse(String(body)) as { __type: string; message: string };

describe('createEcrApi', () => {
  it('answers in the AWS JSON 1.1 shape with an x-amzn-ErrorType on failures', async () => {
    const res = await api()(request(`${TARGET_PREFIX}DescribeRepositories`, '{"repositoryNames":["no/such"]}'));
    expect(res.status).toBe(400);
    expect(res.headers['Content-Type']).toBe('application/x-amz-json-1.1');
    expect(res.headers['x-amzn-ErrorType']).toBe('RepositoryNotFoundException');
    expect(errorOf(res.body).__type).toBe('RepositoryNotFoundException');
  });

  it('names unknown operations, malformed JSON and constraint violations as AWS does', async () => {
    expect(errorOf((await api()(request(`${TARGET_PREFIX}Nope`, '{}'))).body).__type).toBe('UnknownOperationException');
    expect(errorOf((await api()(request(`${TARGET_PREFIX}CreateRepository`, '{'))).body).__type).toBe('SerializationException');
    const invalid = errorOf((await api()(request(`${TARGET_PREFIX}CreateRepository`, '{"repositoryName":"A"}'))).body);
    expect(invalid.__type).toBe('InvalidParameterException');
    expect(invalid.message).toContain("Invalid parameter at 'repositoryName'");
  });

  it('authenticates before anything else and authorizes the action on the repository', async () => {
    const unauthenticated = api({
      authenticate: async () => {
        throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      },
    });
    expect(errorOf((await unauthenticated(request(`${TARGET_PREFIX}Nope`, '{'))).body).__type).toBe('UnrecognizedClientException');

    const checks: unknown[] = [];
    const denied = api({
      authorize: async (asked) =>
        asked.map((check): AccessVerdict => {
          checks.push({ action: check.action, registryKey: check.registryKey, repositoryName: check.repositoryName });
          return { decision: 'ImplicitDeny', missing: 'identity' };
        }),
    });
    const res = await denied(request(`${TARGET_PREFIX}CreateRepository`, '{"repositoryName":"team/app"}'));
    expect(errorOf(res.body)).toEqual({
      __type: 'AccessDeniedException',
      message:
        'User: arn:aws:iam::000000000000:user/admin is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:000000000000:repository/team/app because no identity-based policy allows the ecr:CreateRepository action',
    });
    expect(checks).toEqual([{ action: 'ecr:CreateRepository', registryKey: '000000000000:us-east-1', repositoryName: 'team/app' }]);
  });

  it('hides internal failures behind a ServerException', async () => {
    const broken = api({ authorize: async () => Promise.reject(new Error('secret internals')) });
    const res = await broken(request(`${TARGET_PREFIX}CreateRepository`, '{"repositoryName":"team/app"}'));
    expect(res.status).toBe(500);
    expect(String(res.body)).not.toContain('secret');
  });

  it.each([
    ['UNAVAILABLE', 503, 'ServerException'],
    ['TOOMANYREQUESTS', 400, 'ThrottlingException'],
  ] as const)('answers storage that stayed %s with an error AWS SDKs retry (%i %s)', async (code, status, name) => {
    const busy = api({ authorize: async () => Promise.reject(new RegistryError(code, 'metadata store is busy; retry later')) });
    const res = await busy(request(`${TARGET_PREFIX}CreateRepository`, '{"repositoryName":"team/app"}'));
    expect(res.status).toBe(status);
    expect(errorOf(res.body).__type).toBe(name);
  });
});
