import { createMemoryStorage } from '@cargohold/storage-memory';
import { ociImage } from '@cargohold/storage-testing';
import {
  createRepository,
  deleteRepository,
  deleteRepositoryPolicy,
  describeRepositories,
  getRepositoryPolicy,
  putImageTagMutability,
  setRepositoryPolicy,
} from './repository-actions';
import { actionHarness as harnessOver, type HarnessOptions, NOW, OTHER, OWNER } from './spec-helpers';

/** Each spec's own registry over memory storage. */
const actionHarness = (options: HarnessOptions = {}) => harnessOver(createMemoryStorage(), options);

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:BatchGetImage'] }],
});
const EXCLUDE_LATEST = [{ filter: 'latest*', filterType: 'WILDCARD' }];

describe('CreateRepository', () => {
  it('creates a repository and returns it in ECR’s shape with ECR’s defaults', async () => {
    const { run } = actionHarness();

    const output = await run(createRepository, { repositoryName: 'team/app' });

    expect(output).toEqual({
      repository: {
        repositoryArn: `arn:aws:ecr:us-east-1:${OWNER}:repository/team/app`,
        registryId: OWNER,
        repositoryName: 'team/app',
        repositoryUri: 'localhost:5000/team/app',
        createdAt: NOW.getTime() / 1000,
        imageTagMutability: 'MUTABLE',
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfiguration: { encryptionType: 'AES256' },
      },
    });
  });

  it('applies the settings given: mutability with exclusions, scan on push, KMS encryption', async () => {
    const { run } = actionHarness();

    const { repository } = await run(createRepository, {
      repositoryName: 'team/app',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: EXCLUDE_LATEST,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/registry' },
    });

    expect(repository).toMatchObject({
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: EXCLUDE_LATEST,
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/registry' },
    });
  });

  it('creates in the registry named by registryId, with a URI on that registry’s host', async () => {
    const { run } = actionHarness();

    const { repository } = await run(createRepository, { registryId: OTHER, repositoryName: 'team/app' });

    expect(repository).toMatchObject({ registryId: OTHER, repositoryUri: `${OTHER}.dkr.ecr.us-east-1.localhost:5000/team/app` });
  });

  it('answers RepositoryAlreadyExistsException with ECR’s message for an existing name', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });

    const error = await run(createRepository, { repositoryName: 'team/app' }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'RepositoryAlreadyExistsException',
      message: `The repository with name 'team/app' already exists in the registry with id '${OWNER}'`,
    });
  });

  it.each([
    ['exclusion filters missing for a *_WITH_EXCLUSION mode', { imageTagMutability: 'MUTABLE_WITH_EXCLUSION' }],
    ['exclusion filters with a plain mode', { imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusionFilters: EXCLUDE_LATEST }],
    ['a KMS key with AES256 encryption', { encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'alias/registry' } }],
  ])('answers InvalidParameterException for %s, and creates nothing', async (_case, settings) => {
    const { run } = actionHarness();

    await expect(run(createRepository, { repositoryName: 'team/app', ...settings })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(run(describeRepositories, { repositoryNames: ['team/app'] })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('answers TooManyTagsException for more than 50 tags, as TagResource does, and creates nothing', async () => {
    const { run } = actionHarness();
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));

    await expect(run(createRepository, { repositoryName: 'team/app', tags })).rejects.toMatchObject({ name: 'TooManyTagsException' });
    await expect(run(describeRepositories, { repositoryNames: ['team/app'] })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('answers InvalidTagParameterException for a tag key in the reserved aws: namespace', async () => {
    const { run } = actionHarness();

    await expect(run(createRepository, { repositoryName: 'team/app', tags: [{ Key: 'aws:createdBy', Value: 'me' }] })).rejects.toMatchObject({
      name: 'InvalidTagParameterException',
    });
  });

  it('accepts only ECR’s repository names', () => {
    expect(createRepository.input.safeParse({ repositoryName: 'team/app-1.0_x' }).success).toBe(true);
    for (const repositoryName of ['Team/App', 'a', 'team//app', '-team/app', 'team/app/']) {
      expect(createRepository.input.safeParse({ repositoryName }).success).toBe(false);
    }
  });
});

describe('DescribeRepositories', () => {
  async function withRepositories(names: string[], allows?: (action: string, key: string, name: string) => boolean) {
    const harness = actionHarness(allows ? { allows } : {});
    for (const repositoryName of names) await harness.run(createRepository, { repositoryName });
    return harness;
  }

  it('describes the repositories named, in the order named', async () => {
    const { run } = await withRepositories(['a/app', 'b/app']);

    const output = await run(describeRepositories, { repositoryNames: ['b/app', 'a/app'] });

    expect(output.repositories.map((r: { repositoryName: string }) => r.repositoryName)).toEqual(['b/app', 'a/app']);
  });

  it('answers RepositoryNotFoundException when a named repository is missing', async () => {
    const { run } = await withRepositories(['a/app']);

    await expect(run(describeRepositories, { repositoryNames: ['a/app', 'no/such'] })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('answers InvalidParameterException for repositoryNames with maxResults or nextToken', async () => {
    const { run } = await withRepositories(['a/app']);

    await expect(run(describeRepositories, { repositoryNames: ['a/app'], maxResults: 10 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(run(describeRepositories, { repositoryNames: ['a/app'], nextToken: 'abc' })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('answers AccessDeniedException for a named repository the caller may not describe', async () => {
    const { run } = await withRepositories(['a/app', 'secret/app'], (_action, _key, name) => name !== 'secret/app');

    await expect(run(describeRepositories, { repositoryNames: ['a/app', 'secret/app'] })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('pages all repositories in name order with maxResults and nextToken', async () => {
    const { run } = await withRepositories(['c/app', 'a/app', 'b/app']);

    const first = await run(describeRepositories, { maxResults: 2 });
    const second = await run(describeRepositories, { maxResults: 2, nextToken: first.nextToken });

    expect(first.repositories.map((r: { repositoryName: string }) => r.repositoryName)).toEqual(['a/app', 'b/app']);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(second.repositories.map((r: { repositoryName: string }) => r.repositoryName)).toEqual(['c/app']);
    expect(second.nextToken).toBeUndefined();
  });

  it('hides, in a listing, the repositories the caller may not describe, asking IAM once for the page', async () => {
    const { run, iamChecks } = await withRepositories(['a/app', 'secret/app'], (_action, _key, name) => name !== 'secret/app');

    const output = await run(describeRepositories, {});

    expect(output.repositories.map((r: { repositoryName: string }) => r.repositoryName)).toEqual(['a/app']);
    expect(iamChecks).toEqual([['ecr:DescribeRepositories', `${OWNER}:us-east-1`, ['a/app', 'secret/app']]]);
  });
});

describe('DeleteRepository', () => {
  it('deletes an empty repository and returns it', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });

    const output = await run(deleteRepository, { repositoryName: 'team/app' });

    expect(output.repository).toMatchObject({ repositoryName: 'team/app', registryId: OWNER });
    await expect(run(describeRepositories, { repositoryNames: ['team/app'] })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('answers RepositoryNotEmptyException for a repository with images, unless forced', async () => {
    const { run, push } = actionHarness();
    await push('team/app', ociImage('amd64'), 'v1');

    const error = await run(deleteRepository, { repositoryName: 'team/app' }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'RepositoryNotEmptyException',
      message: `The repository with name 'team/app' in registry with id '${OWNER}' cannot be deleted because it still contains images`,
    });
    await expect(run(deleteRepository, { repositoryName: 'team/app', force: true })).resolves.toMatchObject({ repository: { repositoryName: 'team/app' } });
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(deleteRepository, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });
});

describe('PutImageTagMutability', () => {
  it('sets the mode and its exclusion filters, and echoes them', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });

    const output = await run(putImageTagMutability, {
      repositoryName: 'team/app',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: EXCLUDE_LATEST,
    });
    const [described] = (await run(describeRepositories, { repositoryNames: ['team/app'] })).repositories;

    expect(output).toEqual({
      registryId: OWNER,
      repositoryName: 'team/app',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: EXCLUDE_LATEST,
    });
    expect(described).toMatchObject({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: EXCLUDE_LATEST });
  });

  it('clears earlier exclusion filters when switching to a plain mode', async () => {
    const { run } = actionHarness();
    await run(createRepository, {
      repositoryName: 'team/app',
      imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: EXCLUDE_LATEST,
    });

    const output = await run(putImageTagMutability, { repositoryName: 'team/app', imageTagMutability: 'IMMUTABLE' });
    const [described] = (await run(describeRepositories, { repositoryNames: ['team/app'] })).repositories;

    expect(output).toEqual({ registryId: OWNER, repositoryName: 'team/app', imageTagMutability: 'IMMUTABLE' });
    expect(described).not.toHaveProperty('imageTagMutabilityExclusionFilters');
  });

  it('answers InvalidParameterException for a *_WITH_EXCLUSION mode without filters', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });

    await expect(run(putImageTagMutability, { repositoryName: 'team/app', imageTagMutability: 'MUTABLE_WITH_EXCLUSION' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(putImageTagMutability, { repositoryName: 'team/app', imageTagMutability: 'IMMUTABLE' })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });
});

describe('repository policy actions', () => {
  it('set, get and delete a repository policy, keeping its text exactly', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });
    const expected = { registryId: OWNER, repositoryName: 'team/app', policyText: POLICY };

    await expect(run(setRepositoryPolicy, { repositoryName: 'team/app', policyText: POLICY })).resolves.toEqual(expected);
    await expect(run(getRepositoryPolicy, { repositoryName: 'team/app' })).resolves.toEqual(expected);
    await expect(run(deleteRepositoryPolicy, { repositoryName: 'team/app' })).resolves.toEqual(expected);
    await expect(run(getRepositoryPolicy, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
  });

  it('answers RepositoryPolicyNotFoundException with ECR’s message when there is no policy', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });

    await expect(run(deleteRepositoryPolicy, { repositoryName: 'team/app' })).rejects.toMatchObject({
      name: 'RepositoryPolicyNotFoundException',
      message: `Repository policy does not exist for the repository with name 'team/app' in the registry with id '${OWNER}'`,
    });
  });

  it('answers InvalidParameterException for a policy that is not a valid resource policy, and stores nothing', async () => {
    const { run } = actionHarness();
    await run(createRepository, { repositoryName: 'team/app' });
    const withoutPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] });

    await expect(run(setRepositoryPolicy, { repositoryName: 'team/app', policyText: withoutPrincipal })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(run(setRepositoryPolicy, { repositoryName: 'team/app', policyText: 'not json' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(run(getRepositoryPolicy, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
  });

  it('answer RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(setRepositoryPolicy, { repositoryName: 'team/app', policyText: POLICY })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    await expect(run(getRepositoryPolicy, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });
});
