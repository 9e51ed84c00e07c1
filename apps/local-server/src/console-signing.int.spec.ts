import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { ecrClient, EcrApiError, signEcrRequest, type Credentials } from '@cargohold/console-web';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';

const ADMIN: Credentials = { accessKeyId: 'test', secretAccessKey: 'test', region: 'us-east-1' };

/** The console's browser-side signer, checked by the server's real SigV4 verifier over real HTTP. */
describe('the web console signs ECR API calls the server accepts', () => {
  let s: EcrTestServer;
  beforeAll(async () => {
    s = await startEcrTestServer();
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: 'console/signed' }));
  });
  afterAll(() => s.stop());

  it('builds an AWS JSON 1.1 request with the ECR target, signed over host, date and target', async () => {
    const request = await signEcrRequest(ADMIN, s.t.server.url, 'DescribeRepositories', {}, new Date('2026-01-02T03:04:05Z'));
    expect(request.url).toBe(`${s.t.server.url}/`);
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
      'x-amz-date': '20260102T030405Z',
    });
    expect(request.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test\/20260102\/us-east-1\/ecr\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    // A browser refuses a script's Host header and sends the origin's own: so must the request, by leaving it out.
    expect(Object.keys(request.headers).map((name) => name.toLowerCase())).not.toContain('host');
  });

  it('is accepted by the server: fetch sends it as a browser would and the API answers', async () => {
    const request = await signEcrRequest(ADMIN, s.t.server.url, 'DescribeRepositories', { repositoryNames: ['console/signed'] });
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
    expect(response.status).toBe(200);
    const out = (await response.json()) as { repositories: { repositoryName: string; repositoryUri: string }[] };
    expect(out.repositories.map((repository) => repository.repositoryName)).toEqual(['console/signed']);
  });

  it('answers parsed JSON through the client, and AWS error names as EcrApiError', async () => {
    const ecr = ecrClient(ADMIN, s.t.server.url);
    await expect(ecr('DescribeRepositories', { repositoryNames: ['console/signed'] })).resolves.toMatchObject({
      repositories: [{ repositoryName: 'console/signed' }],
    });
    const missing = await ecr('DescribeImages', { repositoryName: 'console/missing' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(EcrApiError);
    expect(missing).toMatchObject({ errorName: 'RepositoryNotFoundException', status: 400 });
  });

  it('is refused when signed with the wrong secret, and the console sees why', async () => {
    const ecr = ecrClient({ ...ADMIN, secretAccessKey: 'wrong' }, s.t.server.url);
    const refused = await ecr('DescribeRegistry', {}).catch((error: unknown) => error);
    expect(refused).toMatchObject({ errorName: 'InvalidSignatureException', status: 400 });
  });

  it('is refused for a key the server does not know', async () => {
    const ecr = ecrClient({ ...ADMIN, accessKeyId: 'AKIDUNKNOWN' }, s.t.server.url);
    const refused = await ecr('DescribeRegistry', {}).catch((error: unknown) => error);
    expect(refused).toMatchObject({ errorName: 'UnrecognizedClientException', status: 400 });
  });
});
