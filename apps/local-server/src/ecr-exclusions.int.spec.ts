import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeregisterPullTimeUpdateExclusionCommand,
  DescribeImagesCommand,
  ListPullTimeUpdateExclusionsCommand,
  RegisterPullTimeUpdateExclusionCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { awsErrorName, ecrClient, loginPassword } from './testing/ecr-client';
import { OCI_MANIFEST, type RegistryClient } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

const ECR_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
const user = (name: string, key: string) => ({
  name,
  accessKeys: [{ accessKeyId: key, secretAccessKey: `${key}-secret` }],
  policies: [ECR_ALL],
  arn: `arn:aws:iam::000000000000:user/${name}`,
});
const SCANNER = 'arn:aws:iam::000000000000:user/scanner';

/**
 * Pull-time update exclusions (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-time-update-exclusions.html):
 * "When a role in the exclusion list pulls an image, the pull time remains unchanged."
 */
describe('ECR API: pull-time update exclusions', () => {
  let t: TestServer;
  let admin: ECRClient;
  let scanner: ECRClient;
  let adminV2: RegistryClient;
  let scannerV2: RegistryClient;
  beforeAll(async () => {
    t = await startTestServer(
      { identities: { accounts: [{ id: '000000000000', users: [user('admin', 'ADMIN'), user('scanner', 'SCANNER')] }] } },
      { allowAnonymous: false },
    );
    admin = ecrClient(t.server.url, { accessKeyId: 'ADMIN', secretAccessKey: 'ADMIN-secret' });
    scanner = ecrClient(t.server.url, { accessKeyId: 'SCANNER', secretAccessKey: 'SCANNER-secret' });
    adminV2 = t.client.withToken(await loginPassword(admin));
    scannerV2 = t.client.withToken(await loginPassword(scanner));
  });
  afterAll(async () => {
    admin.destroy();
    scanner.destroy();
    await t.stop();
  });

  const lastPull = async (repositoryName: string) => (await admin.send(new DescribeImagesCommand({ repositoryName }))).imageDetails?.[0]?.lastRecordedPullTime;

  it('registers an exclusion once (ExclusionAlreadyExistsException after), lists and deregisters it', async () => {
    const registered = await admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: 'arn:aws:iam::000000000000:role/ci' }));

    expect(registered.principalArn).toBe('arn:aws:iam::000000000000:role/ci');
    expect(registered.createdAt).toBeInstanceOf(Date);
    expect(await awsErrorName(() => admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: 'arn:aws:iam::000000000000:role/ci' })))).toBe(
      'ExclusionAlreadyExistsException',
    );
    expect((await admin.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions).toEqual(['arn:aws:iam::000000000000:role/ci']);
    expect(await admin.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: 'arn:aws:iam::000000000000:role/ci' }))).toMatchObject({
      principalArn: 'arn:aws:iam::000000000000:role/ci',
    });
    expect(await awsErrorName(() => admin.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: 'arn:aws:iam::000000000000:role/ci' })))).toBe(
      'ExclusionNotFoundException',
    );
    expect((await admin.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions).toEqual([]);
  });

  it('refuses a principal that is not an IAM user or role ARN (InvalidParameterException)', async () => {
    expect(await awsErrorName(() => admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: 'arn:aws:s3:::bucket' })))).toBe(
      'InvalidParameterException',
    );
  });

  it('pages the list with maxResults and a nextToken', async () => {
    const arns = ['a', 'b', 'c'].map((name) => `arn:aws:iam::000000000000:role/page-${name}`);
    for (const principalArn of arns) await admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn }));

    const first = await admin.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 2 }));
    const rest = await admin.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 2, nextToken: first.nextToken }));

    expect([...(first.pullTimeUpdateExclusions ?? []), ...(rest.pullTimeUpdateExclusions ?? [])]).toEqual(arns);
    expect(rest.nextToken).toBeUndefined();
    for (const principalArn of arns) await admin.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn }));
  });

  it('leaves lastRecordedPullTime alone when an excluded principal pulls, and records other pulls', async () => {
    await admin.send(new CreateRepositoryCommand({ repositoryName: 'excluded/app' }));
    const image = await adminV2.pushImage('excluded/app', 'v1');
    await admin.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: SCANNER }));

    const pulled = await scannerV2.send('GET', `/v2/excluded/app/manifests/v1`, { headers: { Accept: OCI_MANIFEST } });
    await scanner.send(new BatchGetImageCommand({ repositoryName: 'excluded/app', imageIds: [{ imageTag: 'v1' }] }));
    expect(pulled.status).toBe(200);
    expect(await lastPull('excluded/app')).toBeUndefined();

    await adminV2.send('GET', `/v2/excluded/app/manifests/${image.digest}`, { headers: { Accept: OCI_MANIFEST } });
    expect(await lastPull('excluded/app')).toBeInstanceOf(Date);
  });
});
