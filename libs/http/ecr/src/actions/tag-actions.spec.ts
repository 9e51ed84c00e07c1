import { createMemoryStorage } from '@cargohold/storage-memory';
import { createRepository } from './repository-actions';
import { actionHarness as harnessOver, type HarnessOptions, OTHER, OWNER } from './spec-helpers';
import { listTagsForResource, tagResource, untagResource } from './tag-actions';

/** Each spec's own registry over memory storage. */
const actionHarness = (options: HarnessOptions = {}) => harnessOver(createMemoryStorage(), options);

const ARN = `arn:aws:ecr:us-east-1:${OWNER}:repository/team/app`;
const tags = (...pairs: [string, string][]) => pairs.map(([Key, Value]) => ({ Key, Value }));

async function withRepository(initial = tags(['team', 'a'])) {
  const harness = actionHarness();
  await harness.run(createRepository, { repositoryName: 'team/app', tags: initial });
  return harness;
}

describe('TagResource', () => {
  it('adds tags and overwrites the value of a key already there', async () => {
    const { run } = await withRepository(tags(['team', 'a'], ['env', 'dev']));

    await expect(run(tagResource, { resourceArn: ARN, tags: tags(['env', 'prod'], ['owner', 'alice']) })).resolves.toEqual({});

    await expect(run(listTagsForResource, { resourceArn: ARN })).resolves.toEqual({ tags: tags(['team', 'a'], ['env', 'prod'], ['owner', 'alice']) });
  });

  it('answers InvalidTagParameterException for a reserved aws: key, and changes nothing', async () => {
    const { run } = await withRepository();

    await expect(run(tagResource, { resourceArn: ARN, tags: tags(['ok', '1'], ['AWS:cloudformation', 'x']) })).rejects.toMatchObject({
      name: 'InvalidTagParameterException',
    });
    await expect(run(listTagsForResource, { resourceArn: ARN })).resolves.toEqual({ tags: tags(['team', 'a']) });
  });

  it('answers TooManyTagsException when the repository would have more than 50 tags, and changes nothing', async () => {
    const { run } = await withRepository();
    const fifty = Array.from({ length: 50 }, (_, i): [string, string] => [`k${i}`, 'v']);

    await expect(run(tagResource, { resourceArn: ARN, tags: tags(...fifty) })).rejects.toMatchObject({ name: 'TooManyTagsException' });
    await expect(run(listTagsForResource, { resourceArn: ARN })).resolves.toEqual({ tags: tags(['team', 'a']) });
    await expect(run(tagResource, { resourceArn: ARN, tags: tags(...fifty.slice(1)) })).resolves.toEqual({});
  });

  it.each([
    ['not an ARN', 'team/app'],
    ['an ARN of another service', `arn:aws:s3:us-east-1:${OWNER}:repository/team/app`],
    ['an ARN in another region', `arn:aws:ecr:eu-west-1:${OWNER}:repository/team/app`],
  ])('answers InvalidParameterException for %s', async (_case, resourceArn) => {
    const { run } = await withRepository();

    await expect(run(tagResource, { resourceArn, tags: tags(['k', 'v']) })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('answers RepositoryNotFoundException for an ARN naming no repository', async () => {
    const { run } = await withRepository();

    await expect(run(tagResource, { resourceArn: `${ARN}-gone`, tags: tags(['k', 'v']) })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('is authorized against the repository and registry the ARN names', () => {
    expect(tagResource.resource?.({ resourceArn: `arn:aws:ecr:us-east-1:${OTHER}:repository/team/app`, tags: [] })).toMatchObject({
      repositoryName: 'team/app',
      registryId: OTHER,
    });
  });
});

describe('UntagResource', () => {
  it('removes the keys named and ignores keys that are not there', async () => {
    const { run } = await withRepository(tags(['team', 'a'], ['env', 'dev']));

    await expect(run(untagResource, { resourceArn: ARN, tagKeys: ['env', 'absent'] })).resolves.toEqual({});

    await expect(run(listTagsForResource, { resourceArn: ARN })).resolves.toEqual({ tags: tags(['team', 'a']) });
  });
});

describe('ListTagsForResource', () => {
  it('answers no tags for an untagged repository', async () => {
    const { run } = await withRepository([]);

    await expect(run(listTagsForResource, { resourceArn: ARN })).resolves.toEqual({ tags: [] });
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(listTagsForResource, { resourceArn: ARN })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });
});
