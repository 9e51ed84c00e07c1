import {
  CreateRepositoryCommand,
  CreateRepositoryCreationTemplateCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryCreationTemplateCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  GetRegistryPolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutRegistryPolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateRepositoryCreationTemplateCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { awsErrorName } from './testing/ecr-client';
import { startEcrTestServer } from './testing/test-server';

const repositoryPolicy = (action: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: [action] }],
  });
const registryPolicy = (action: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'replication',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: [action],
        Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/*',
      },
    ],
  });

/**
 * The calls Terraform's AWS provider makes for aws_ecr_repository, aws_ecr_repository_policy,
 * aws_ecr_registry_policy and aws_ecr_repository_creation_template (the CDK's resources go through
 * CloudFormation to the same calls): create, read back, update, read back, delete. Every read must
 * return what was written, or the provider plans a change on every run.
 */
describe('ECR API: the calls Terraform makes', () => {
  let ecr: ECRClient;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ ecr, stop } = await startEcrTestServer()));
  afterAll(() => stop());

  it('aws_ecr_repository: create, read, update mutability, scanning and tags, read, delete', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'tf/app',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/tf' },
        tags: [{ Key: 'env', Value: 'dev' }],
      }),
    );
    const read = async () => {
      const described = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['tf/app'] }))).repositories?.[0];
      const { tags } = await ecr.send(new ListTagsForResourceCommand({ resourceArn: described?.repositoryArn }));
      return { ...described, tags };
    };

    expect(await read()).toMatchObject({
      repositoryArn: repository?.repositoryArn,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/tf' },
      tags: [{ Key: 'env', Value: 'dev' }],
    });

    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'tf/app', imageTagMutability: 'MUTABLE' }));
    await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'tf/app', imageScanningConfiguration: { scanOnPush: false } }));
    await ecr.send(new TagResourceCommand({ resourceArn: repository?.repositoryArn, tags: [{ Key: 'team', Value: 'a' }] }));
    await ecr.send(new UntagResourceCommand({ resourceArn: repository?.repositoryArn, tagKeys: ['env'] }));

    expect(await read()).toMatchObject({
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      tags: [{ Key: 'team', Value: 'a' }],
    });

    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'tf/app', force: true }));
    expect(await awsErrorName(() => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['tf/app'] })))).toBe('RepositoryNotFoundException');
  });

  it('aws_ecr_repository_policy: set, read, replace, read, delete', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tf/policy' }));

    for (const policyText of [repositoryPolicy('ecr:BatchGetImage'), repositoryPolicy('ecr:GetDownloadUrlForLayer')]) {
      await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'tf/policy', policyText }));
      expect(await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'tf/policy' }))).toMatchObject({
        registryId: '000000000000',
        repositoryName: 'tf/policy',
        policyText,
      });
    }

    await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'tf/policy' }));
    expect(await awsErrorName(() => ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'tf/policy' })))).toBe('RepositoryPolicyNotFoundException');
  });

  it('aws_ecr_registry_policy: put, read, replace, read, delete', async () => {
    for (const policyText of [registryPolicy('ecr:ReplicateImage'), registryPolicy('ecr:CreateRepository')]) {
      await ecr.send(new PutRegistryPolicyCommand({ policyText }));
      expect(await ecr.send(new GetRegistryPolicyCommand({}))).toMatchObject({ registryId: '000000000000', policyText });
    }

    await ecr.send(new DeleteRegistryPolicyCommand({}));
    expect(await awsErrorName(() => ecr.send(new GetRegistryPolicyCommand({})))).toBe('RegistryPolicyNotFoundException');
  });

  it('aws_ecr_repository_creation_template: create, read by prefix, update, read, delete', async () => {
    const lifecyclePolicy = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: 'expire untagged',
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
          action: { type: 'expire' },
        },
      ],
    });
    const written = {
      prefix: 'tf',
      description: 'terraform',
      appliedFor: ['CREATE_ON_PUSH' as const, 'REPLICATION' as const],
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as const,
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD' as const, filter: 'latest' }],
      encryptionConfiguration: { encryptionType: 'KMS' as const, kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/tf' },
      resourceTags: [{ Key: 'env', Value: 'dev' }],
      repositoryPolicy: repositoryPolicy('ecr:BatchGetImage'),
      lifecyclePolicy,
      customRoleArn: 'arn:aws:iam::000000000000:role/ecr-templates',
    };
    const read = async () => (await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['tf'] }))).repositoryCreationTemplates?.[0];

    await ecr.send(new CreateRepositoryCreationTemplateCommand(written));
    expect(await read()).toMatchObject(written);

    const updated = {
      ...written,
      description: 'changed',
      imageTagMutability: 'MUTABLE' as const,
      imageTagMutabilityExclusionFilters: undefined,
      appliedFor: ['PULL_THROUGH_CACHE' as const],
    };
    await ecr.send(new UpdateRepositoryCreationTemplateCommand(updated));
    const after = await read();
    const { imageTagMutabilityExclusionFilters: _none, ...rest } = updated;
    expect(after).toMatchObject(rest);
    expect(after?.imageTagMutabilityExclusionFilters).toBeUndefined();

    await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'tf' }));
    expect(await read()).toBeUndefined();
  });
});
