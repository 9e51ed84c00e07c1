import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf, ociImage } from '@cargohold/storage-testing';
import { RepositoryAlreadyExistsError, RepositoryNotEmptyError, RepositoryPolicyNotFoundError } from './ecr-errors';
import { NameUnknownError } from './errors';
import { createRegistry } from './registry';
import { accountOf } from './repository-admin';

const REGISTRY = '111122223333:us-east-1';
const repo = { registry: REGISTRY, name: 'team/app' };
const CREATED_AT = new Date('2026-01-01T00:00:00Z');
const POLICY = '{"Version":"2012-10-17","Statement":[]}';
const acceptAny = () => undefined;

function setup() {
  const storage = createMemoryStorage();
  const registry = createRegistry({ storage, clock: { now: () => CREATED_AT } });
  return { storage, registry, admin: registry.repositoryAdmin };
}

describe('RepositoryAdmin', () => {
  describe('create', () => {
    it('creates a repository with ECR’s default settings, overridden by those given', async () => {
      const { admin } = setup();

      const repository = await admin.create(repo, { scanOnPush: true, tags: [{ Key: 'team', Value: 'a' }] });

      expect(repository).toEqual({
        registry: REGISTRY,
        name: 'team/app',
        createdAt: CREATED_AT,
        settings: {
          imageTagMutability: 'MUTABLE',
          imageTagMutabilityExclusionFilters: [],
          scanOnPush: true,
          encryption: { encryptionType: 'AES256' },
          tags: [{ Key: 'team', Value: 'a' }],
        },
      });
    });

    it('refuses an existing name with RepositoryAlreadyExists and ECR’s message, keeping the first settings', async () => {
      const { admin } = setup();
      await admin.create(repo, { scanOnPush: true });

      const error = await admin.create(repo, { scanOnPush: false }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RepositoryAlreadyExistsError);
      expect(error).toMatchObject({ message: "The repository with name 'team/app' already exists in the registry with id '111122223333'" });
      expect((await admin.get(repo)).settings.scanOnPush).toBe(true);
    });

    it('refuses an invalid repository name', async () => {
      const { admin } = setup();

      await expect(admin.create({ registry: REGISTRY, name: 'Team/App' })).rejects.toMatchObject({ code: 'NAME_INVALID' });
    });

    it('keeps registries apart: the same name may exist in another account', async () => {
      const { admin } = setup();
      await admin.create(repo);

      const other = await admin.create({ registry: '444455556666:us-east-1', name: 'team/app' });

      expect(other.registry).toBe('444455556666:us-east-1');
    });
  });

  describe('get', () => {
    it('throws RepositoryNotFound (NameUnknownError) for a missing repository', async () => {
      const { admin } = setup();

      const error = await admin.get(repo).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(NameUnknownError);
      expect(error).toMatchObject({ code: 'NAME_UNKNOWN', detail: { name: 'team/app' } });
    });
  });

  describe('list', () => {
    it('pages repositories in name order, each page naming the last name it holds', async () => {
      const { admin } = setup();
      for (const name of ['c/app', 'a/app', 'b/app']) await admin.create({ registry: REGISTRY, name });

      const first = await admin.list(REGISTRY, 2);
      const second = await admin.list(REGISTRY, 2, first.next);

      expect(first.repositories.map((r) => r.name)).toEqual(['a/app', 'b/app']);
      expect(first.next).toBe('b/app');
      expect(second.repositories.map((r) => r.name)).toEqual(['c/app']);
      expect(second).not.toHaveProperty('next');
    });

    it('lists only the registry asked for', async () => {
      const { admin } = setup();
      await admin.create(repo);
      await admin.create({ registry: '111122223333:eu-west-1', name: 'elsewhere' });

      const { repositories } = await admin.list(REGISTRY, 100);

      expect(repositories.map((r) => r.name)).toEqual(['team/app']);
    });
  });

  describe('delete', () => {
    it('deletes an empty repository and returns what it was', async () => {
      const { admin } = setup();
      await admin.create(repo, { scanOnPush: true });

      const deleted = await admin.delete(repo, false);

      expect(deleted).toMatchObject({ name: 'team/app', settings: { scanOnPush: true } });
      await expect(admin.get(repo)).rejects.toBeInstanceOf(NameUnknownError);
    });

    it('refuses a repository that still holds images unless forced (RepositoryNotEmpty)', async () => {
      const { admin, registry } = setup();
      const image = ociImage('amd64');
      for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
      await registry.manifests.put(repo, 'v1', image.manifest, image.mediaType);

      const error = await admin.delete(repo, false).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RepositoryNotEmptyError);
      expect(error).toMatchObject({
        message: "The repository with name 'team/app' in registry with id '111122223333' cannot be deleted because it still contains images",
      });
      await expect(admin.delete(repo, true)).resolves.toMatchObject({ name: 'team/app' });
      await expect(admin.get(repo)).rejects.toBeInstanceOf(NameUnknownError);
    });

    it('throws RepositoryNotFound for a missing repository', async () => {
      const { admin } = setup();

      await expect(admin.delete(repo, true)).rejects.toBeInstanceOf(NameUnknownError);
    });
  });

  describe('update', () => {
    it('applies the change to the current settings', async () => {
      const { admin } = setup();
      await admin.create(repo);

      const updated = await admin.update(repo, (current) => ({ ...current, imageTagMutability: 'IMMUTABLE' }));

      expect(updated.settings.imageTagMutability).toBe('IMMUTABLE');
      expect((await admin.get(repo)).settings.imageTagMutability).toBe('IMMUTABLE');
    });

    it('throws RepositoryNotFound for a missing repository', async () => {
      const { admin } = setup();

      await expect(admin.update(repo, (current) => current)).rejects.toBeInstanceOf(NameUnknownError);
    });
  });

  describe('repository policy', () => {
    it('stores the policy text exactly as given and returns it on get and delete', async () => {
      const { admin } = setup();
      await admin.create(repo);
      const text = `  ${POLICY}\n`;

      await admin.setPolicy(repo, text, acceptAny);

      await expect(admin.getPolicy(repo)).resolves.toBe(text);
      await expect(admin.deletePolicy(repo)).resolves.toBe(text);
      expect((await admin.get(repo)).settings).not.toHaveProperty('policyText');
    });

    it('stores nothing when the validator refuses the policy', async () => {
      const { admin } = setup();
      await admin.create(repo);

      const refuse = () => {
        throw new Error('invalid policy');
      };

      await expect(admin.setPolicy(repo, POLICY, refuse)).rejects.toThrow('invalid policy');
      await expect(admin.getPolicy(repo)).rejects.toBeInstanceOf(RepositoryPolicyNotFoundError);
    });

    it('throws RepositoryPolicyNotFound with ECR’s message when there is none, on get and on delete', async () => {
      const { admin } = setup();
      await admin.create(repo);
      const message = "Repository policy does not exist for the repository with name 'team/app' in the registry with id '111122223333'";

      await expect(admin.getPolicy(repo)).rejects.toMatchObject({ message });
      await expect(admin.deletePolicy(repo)).rejects.toBeInstanceOf(RepositoryPolicyNotFoundError);
    });

    it('throws RepositoryNotFound for a policy on a missing repository', async () => {
      const { admin } = setup();

      await expect(admin.setPolicy(repo, POLICY, acceptAny)).rejects.toBeInstanceOf(NameUnknownError);
      await expect(admin.getPolicy(repo)).rejects.toBeInstanceOf(NameUnknownError);
    });
  });
});

describe('accountOf', () => {
  it('names the account of a registry key', () => {
    expect(accountOf('111122223333:us-east-1')).toBe('111122223333');
  });
});
