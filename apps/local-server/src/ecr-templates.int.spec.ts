import {
  CreateRepositoryCreationTemplateCommand,
  DeleteRepositoryCreationTemplateCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  UpdateRepositoryCreationTemplateCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { awsErrorName } from './testing/ecr-client';
import type { RegistryClient } from './testing/registry-client';
import { startEcrTestServer } from './testing/test-server';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr:BatchGetImage'] }],
});

/**
 * Repository creation templates through @aws-sdk/client-ecr
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html), and
 * their effect on create-on-push: the longest matching prefix wins, ROOT matches every repository.
 */
describe('ECR API: repository creation templates', () => {
  let ecr: ECRClient;
  let v2: RegistryClient;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ ecr, v2, stop } = await startEcrTestServer()));
  afterAll(() => stop());

  const describeRepository = async (repositoryName: string) =>
    (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }))).repositories?.[0];

  it('creates a template and answers it in ECR’s shape; a second with the same prefix is TemplateAlreadyExistsException', async () => {
    const created = await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: 'team/',
        description: 'team repositories',
        appliedFor: ['CREATE_ON_PUSH'],
        imageTagMutability: 'IMMUTABLE',
        repositoryPolicy: POLICY,
        resourceTags: [{ Key: 'owner', Value: 'team' }],
      }),
    );

    expect(created.registryId).toBe('000000000000');
    expect(created.repositoryCreationTemplate).toEqual({
      prefix: 'team/',
      description: 'team repositories',
      appliedFor: ['CREATE_ON_PUSH'],
      imageTagMutability: 'IMMUTABLE',
      repositoryPolicy: POLICY,
      resourceTags: [{ Key: 'owner', Value: 'team' }],
      encryptionConfiguration: { encryptionType: 'AES256' },
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    expect(await awsErrorName(() => ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'team/', appliedFor: ['REPLICATION'] })))).toBe(
      'TemplateAlreadyExistsException',
    );
  });

  it('applies the template on create-on-push: the repository gets exactly its settings, another prefix does not', async () => {
    await v2.pushImage('team/new-app', 'v1');
    await v2.pushImage('other/app', 'v1');

    const created = await describeRepository('team/new-app');
    expect(created?.imageTagMutability).toBe('IMMUTABLE');
    expect((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'team/new-app' }))).policyText).toBe(POLICY);
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: created?.repositoryArn }))).tags).toEqual([{ Key: 'owner', Value: 'team' }]);

    const other = await describeRepository('other/app');
    expect(other?.imageTagMutability).toBe('MUTABLE');
    expect(await awsErrorName(() => ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'other/app' })))).toBe('RepositoryPolicyNotFoundException');
  });

  it('lets the longest matching prefix win, and ROOT match every repository', async () => {
    await ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'team/special', appliedFor: ['CREATE_ON_PUSH'], imageTagMutability: 'MUTABLE' }));
    await ecr.send(
      new CreateRepositoryCreationTemplateCommand({ prefix: 'ROOT', appliedFor: ['CREATE_ON_PUSH'], encryptionConfiguration: { encryptionType: 'KMS' } }),
    );

    await v2.pushImage('team/special/app', 'v1');
    await v2.pushImage('team/plain', 'v1');
    await v2.pushImage('anything/else', 'v1');

    expect((await describeRepository('team/special/app'))?.imageTagMutability).toBe('MUTABLE');
    expect((await describeRepository('team/plain'))?.imageTagMutability).toBe('IMMUTABLE');
    expect((await describeRepository('anything/else'))?.encryptionConfiguration).toEqual({
      encryptionType: 'KMS',
      kmsKey: 'arn:aws:kms:us-east-1:000000000000:alias/aws/ecr',
    });
  });

  it('describes templates by prefix and page by page, in prefix order', async () => {
    const named = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['team/', 'absent'] }));
    const first = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ maxResults: 2 }));
    const rest = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ maxResults: 2, nextToken: first.nextToken }));

    expect(named.repositoryCreationTemplates?.map((template) => template.prefix)).toEqual(['team/']);
    expect([...(first.repositoryCreationTemplates ?? []), ...(rest.repositoryCreationTemplates ?? [])].map((template) => template.prefix)).toEqual([
      'ROOT',
      'team/',
      'team/special',
    ]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('updates the fields given and keeps the others; an unknown prefix is TemplateNotFoundException', async () => {
    const { repositoryCreationTemplate } = await ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'team/', description: 'renamed' }));

    expect(repositoryCreationTemplate).toMatchObject({ prefix: 'team/', description: 'renamed', imageTagMutability: 'IMMUTABLE', repositoryPolicy: POLICY });
    expect(await awsErrorName(() => ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'nope', description: 'x' })))).toBe(
      'TemplateNotFoundException',
    );
  });

  it.each([
    ['a prefix out of pattern', { prefix: 'Team/', appliedFor: ['CREATE_ON_PUSH'] }, 'InvalidParameterException'],
    ['a reserved tag key', { prefix: 'tags', appliedFor: ['CREATE_ON_PUSH'], resourceTags: [{ Key: 'aws:x', Value: 'v' }] }, 'InvalidTagParameterException'],
    [
      'a repository policy with a Resource',
      { prefix: 'policy', appliedFor: ['CREATE_ON_PUSH'], repositoryPolicy: POLICY.replace('"Action"', '"Resource":"*","Action"') },
      'InvalidParameterException',
    ],
    ['no appliedFor', { prefix: 'empty', appliedFor: [] }, 'InvalidParameterException'],
  ])('refuses %s', async (_case, input, error) => {
    expect(await awsErrorName(() => ecr.send(new CreateRepositoryCreationTemplateCommand(input as never)))).toBe(error);
  });

  it('deletes a template, answering it; a second delete is TemplateNotFoundException', async () => {
    const deleted = await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'team/special' }));

    expect(deleted).toMatchObject({ registryId: '000000000000', repositoryCreationTemplate: { prefix: 'team/special' } });
    expect(await awsErrorName(() => ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'team/special' })))).toBe('TemplateNotFoundException');
  });
});
