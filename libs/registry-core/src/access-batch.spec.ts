import { createMemoryStorage } from '@cargohold/storage-memory';
import { AccessService } from './access';

const REGISTRY = '000000000000:us-east-1';
const admin = { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/admin' };
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const DENY_DESCRIBE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:DescribeRepositories' }],
});

async function setup() {
  const storage = createMemoryStorage();
  const at = new Date('2026-06-01T00:00:00Z');
  for (const name of ['a/one', 'b/two', 'c/three']) await storage.repositories.create({ registry: REGISTRY, name }, at);
  await storage.repositories.update({ registry: REGISTRY, name: 'b/two' }, (settings) => ({ ...settings, policyText: DENY_DESCRIBE }));
  const reads = { repositories: 0, registries: 0 };
  const repositories = {
    ...storage.repositories,
    get: (ref: Parameters<typeof storage.repositories.get>[0]) => (reads.repositories++, storage.repositories.get(ref)),
  };
  const registries = { ...storage.registries, get: (registry: string) => (reads.registries++, storage.registries.get(registry)) };
  const access = new AccessService(repositories, registries, () => [ALLOW_ALL], { now: () => at });
  return { access, reads };
}

describe('AccessService.allowsEach', () => {
  it('decides every check in order, an explicit Deny in one repository policy hiding only that one', async () => {
    const { access } = await setup();
    const checks = ['a/one', 'b/two', 'c/three'].map((repositoryName) => ({
      principal: admin,
      action: 'ecr:DescribeRepositories',
      registryKey: REGISTRY,
      repositoryName,
    }));
    await expect(access.allowsEach(checks)).resolves.toEqual([true, false, true]);
  });

  it('reads the registry policy once and each repository policy once for the whole batch', async () => {
    const { access, reads } = await setup();
    const actions = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'];
    await access.allowsEach(actions.map((action) => ({ principal: admin, action, registryKey: REGISTRY, repositoryName: 'a/one' })));
    expect(reads).toEqual({ repositories: 1, registries: 1 });
  });

  it('takes a repository policy the caller already read instead of reading the repository again', async () => {
    const { access, reads } = await setup();
    const check = (repositoryName: string, text: string | undefined) => ({
      principal: admin,
      action: 'ecr:DescribeRepositories',
      registryKey: REGISTRY,
      repositoryName,
      repositoryPolicy: { text },
    });
    await expect(access.allowsEach([check('a/one', undefined), check('b/two', DENY_DESCRIBE), check('c/three', DENY_DESCRIBE)])).resolves.toEqual([
      true,
      false,
      false,
    ]);
    expect(reads).toEqual({ repositories: 0, registries: 1 });
  });

  it('answers one check as allows() does', async () => {
    const { access } = await setup();
    await expect(access.allows({ principal: admin, action: 'ecr:DescribeRepositories', registryKey: REGISTRY, repositoryName: 'b/two' })).resolves.toBe(false);
    await expect(access.allows({ principal: admin, action: 'ecr:DescribeRepositories', registryKey: REGISTRY, repositoryName: 'a/one' })).resolves.toBe(true);
  });
});
