import { createMemoryStorage, MemoryRepositoryCreationTemplateStore } from '@cargohold/storage-memory';
import { actionHarness, OWNER } from './spec-helpers';
import { createRepositoryCreationTemplate, describeRepositoryCreationTemplates, updateRepositoryCreationTemplate } from './template-actions';

const harness = () => actionHarness(createMemoryStorage(), { registry: { templates: new MemoryRepositoryCreationTemplateStore() } });
const FILTERS = [{ filterType: 'WILDCARD', filter: 'latest' }];

describe('repository creation template actions', () => {
  it('create answers the template in ECR’s shape, with AES256 when no encryption was given', async () => {
    const { run } = harness();

    const out = await run(createRepositoryCreationTemplate, { prefix: 'team', appliedFor: ['CREATE_ON_PUSH', 'CREATE_ON_PUSH'] });

    expect(out).toEqual({
      registryId: OWNER,
      repositoryCreationTemplate: {
        prefix: 'team',
        appliedFor: ['CREATE_ON_PUSH'],
        imageTagMutability: 'MUTABLE',
        resourceTags: [],
        encryptionConfiguration: { encryptionType: 'AES256' },
        createdAt: expect.any(Number),
        updatedAt: expect.any(Number),
      },
    });
  });

  it('update changes only the fields given; a new mutability mode drops the old filters unless new ones come', async () => {
    const { run } = harness();
    await run(createRepositoryCreationTemplate, {
      prefix: 'team',
      appliedFor: ['CREATE_ON_PUSH'],
      description: 'first',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: FILTERS,
    });

    const described = await run(updateRepositoryCreationTemplate, { prefix: 'team', description: 'second' });
    const immutable = await run(updateRepositoryCreationTemplate, { prefix: 'team', imageTagMutability: 'IMMUTABLE' });

    expect(described.repositoryCreationTemplate).toMatchObject({
      description: 'second',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: FILTERS,
    });
    expect(immutable.repositoryCreationTemplate).toMatchObject({ description: 'second', imageTagMutability: 'IMMUTABLE' });
    expect(immutable.repositoryCreationTemplate).not.toHaveProperty('imageTagMutabilityExclusionFilters');
  });

  it.each([
    ['exclusion filters without a *_WITH_EXCLUSION mode', { imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusionFilters: FILTERS }],
    ['a *_WITH_EXCLUSION mode without filters', { imageTagMutability: 'MUTABLE_WITH_EXCLUSION' }],
    ['a KMS key with AES256', { encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'arn:aws:kms:us-east-1:111122223333:key/k' } }],
    ['a lifecycle policy that is not one', { lifecyclePolicy: JSON.stringify({ notRules: 'x'.repeat(100) }) }],
  ])('create refuses %s with InvalidParameterException and stores nothing', async (_case, extra) => {
    const { run } = harness();

    await expect(run(createRepositoryCreationTemplate, { prefix: 'team', appliedFor: ['CREATE_ON_PUSH'], ...extra })).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    expect((await run(describeRepositoryCreationTemplates, {})).repositoryCreationTemplates).toEqual([]);
  });

  it('describe refuses prefixes together with maxResults or nextToken', async () => {
    const { run } = harness();

    await expect(run(describeRepositoryCreationTemplates, { prefixes: ['team'], maxResults: 5 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
