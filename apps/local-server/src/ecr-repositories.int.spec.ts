import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageTagMutabilityCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { awsErrorName, loginPassword } from './testing/ecr-client';
import { startEcrTestServer, type TestServer } from './testing/test-server';

describe('ECR API: repositories (through @aws-sdk/client-ecr)', () => {
  let t: TestServer;
  let ecr: ECRClient;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ t, ecr, stop } = await startEcrTestServer()));
  afterAll(() => stop());

  it('creates a repository with ECR settings and describes it in ECR shapes', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/api',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
        imageScanningConfiguration: { scanOnPush: true },
        tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    const host = new URL(t.server.url).host;
    expect(repository).toMatchObject({
      registryId: '000000000000',
      repositoryName: 'team/api',
      repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/team/api',
      repositoryUri: `${host}/team/api`,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(repository?.createdAt).toBeInstanceOf(Date);
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/api'] }));
    expect(described.repositories?.[0]).toEqual(repository);
  });

  it('refuses duplicates, unknown names and invalid names with ECR error names', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'dup/repo' }));
    expect(await awsErrorName(() => ecr.send(new CreateRepositoryCommand({ repositoryName: 'dup/repo' })))).toBe('RepositoryAlreadyExistsException');
    expect(await awsErrorName(() => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['no/such'] })))).toBe('RepositoryNotFoundException');
    expect(await awsErrorName(() => ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad/Name' })))).toBe('InvalidParameterException');
    expect(await awsErrorName(() => ecr.send(new CreateRepositoryCommand({ repositoryName: 'x/y', imageTagMutability: 'MUTABLE_WITH_EXCLUSION' })))).toBe(
      'InvalidParameterException',
    );
  });

  it('pages repositories with maxResults and nextToken', async () => {
    for (const name of ['page/a', 'page/b', 'page/c']) await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      expect(page.repositories?.length).toBeLessThanOrEqual(2);
      names.push(...(page.repositories ?? []).map((r) => r.repositoryName as string));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['page/a', 'page/b', 'page/c']));
  });

  it('tags, untags and lists tags by repository ARN', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tags/repo', tags: [{ Key: 'a', Value: '1' }] }));
    const resourceArn = repository?.repositoryArn as string;
    await ecr.send(
      new TagResourceCommand({
        resourceArn,
        tags: [
          { Key: 'b', Value: '2' },
          { Key: 'a', Value: '3' },
        ],
      }),
    );
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { Key: 'a', Value: '3' },
      { Key: 'b', Value: '2' },
    ]);
    await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] }));
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([{ Key: 'b', Value: '2' }]);
    expect(await awsErrorName(() => ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'aws:x', Value: '1' }] })))).toBe(
      'InvalidTagParameterException',
    );
  });

  it('changes tag mutability', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'mut/repo' }));
    const out = await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'mut/repo', imageTagMutability: 'IMMUTABLE' }));
    expect(out).toMatchObject({ registryId: '000000000000', repositoryName: 'mut/repo', imageTagMutability: 'IMMUTABLE' });
  });

  it('stores a repository policy byte-for-byte, validates it, and deletes it', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'policy/repo' }));
    const policyText =
      '{\n  "Version" : "2012-10-17",\n  "Statement" : [ { "Sid" : "pull", "Effect" : "Allow", "Principal" : { "AWS" : "111111111111" }, "Action" : [ "ecr:BatchGetImage" ] } ]\n}';
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policy/repo', policyText }));
    expect((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policy/repo' }))).policyText).toBe(policyText);
    const bad = '{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"ecr:*"}]}';
    expect(await awsErrorName(() => ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policy/repo', policyText: bad })))).toBe(
      'InvalidParameterException',
    );
    expect((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'policy/repo' }))).policyText).toBe(policyText);
    expect(await awsErrorName(() => ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policy/repo' })))).toBe('RepositoryPolicyNotFoundException');
  });

  it('deletes an empty repository, and a non-empty one only with force', async () => {
    const pusher = t.client.withToken(await loginPassword(ecr));
    await pusher.pushImage('full/repo', 'v1');
    expect(await awsErrorName(() => ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full/repo' })))).toBe('RepositoryNotEmptyException');
    expect((await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full/repo', force: true }))).repository?.repositoryName).toBe('full/repo');
    expect((await pusher.send('GET', '/v2/full/repo/tags/list')).status).toBe(404);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'empty/repo' }));
    const { repository } = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'empty/repo' }));
    expect(repository?.repositoryName).toBe('empty/repo');
    expect(await awsErrorName(() => ecr.send(new DeleteRepositoryCommand({ repositoryName: 'empty/repo' })))).toBe('RepositoryNotFoundException');
  });
});
