import type { RepositoryCreationTemplate, RepositoryCreationTemplateStore } from '@cargohold/storage-ports';
import { OTHER_REGISTRY, REGISTRY } from './metadata-fixture';

export interface TemplateFixture {
  readonly templates: RepositoryCreationTemplateStore;
  cleanup(): Promise<void>;
}

export type MakeTemplates = () => Promise<TemplateFixture>;

const template = (prefix: string, extra: Partial<RepositoryCreationTemplate> = {}): RepositoryCreationTemplate => ({
  prefix,
  description: `settings for ${prefix}`,
  resourceTags: [{ Key: 'team', Value: 'a' }],
  imageTagMutability: 'IMMUTABLE',
  imageTagMutabilityExclusionFilters: [],
  repositoryPolicy: '{\n  "Version" : "2012-10-17", "Statement" : [ ]\n}',
  appliedFor: ['CREATE_ON_PUSH'],
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});

/** RepositoryCreationTemplateStore: one document per (registry, prefix), create-once, atomic updates, byte-ordered pages. */
export function describeRepositoryCreationTemplateStoreContract(adapter: string, make: MakeTemplates): void {
  describe(`RepositoryCreationTemplateStore (${adapter})`, () => {
    let fixture: TemplateFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(() => fixture.cleanup());

    it('creates a template once and returns it whole, policies byte-for-byte', async () => {
      const { templates } = fixture;
      const stored = template('team', {
        lifecyclePolicy: '{"rules":[]}',
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/k' },
      });

      expect(await templates.create(REGISTRY, stored)).toBe(true);
      expect(await templates.create(REGISTRY, template('team', { description: 'second' }))).toBe(false);

      expect(await templates.get(REGISTRY, 'team')).toEqual(stored);
      expect(await templates.get(OTHER_REGISTRY, 'team')).toBeUndefined();
    });

    it('updates atomically, keeps the prefix, and leaves everything as it was when mutate throws', async () => {
      const { templates } = fixture;
      await templates.create(REGISTRY, template('team'));

      const updated = await templates.update(REGISTRY, 'team', (current) => ({ ...current, prefix: 'other', description: 'changed' }));
      await expect(
        templates.update(REGISTRY, 'team', () => {
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');

      expect(updated).toMatchObject({ prefix: 'team', description: 'changed' });
      expect(await templates.get(REGISTRY, 'team')).toMatchObject({ prefix: 'team', description: 'changed' });
      expect(await templates.get(REGISTRY, 'other')).toBeUndefined();
      expect(await templates.update(REGISTRY, 'absent', (current) => current)).toBeUndefined();
    });

    it('loses no update between concurrent updates', async () => {
      const { templates } = fixture;
      await templates.create(REGISTRY, template('team', { resourceTags: [] }));

      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          templates.update(REGISTRY, 'team', (current) => ({ ...current, resourceTags: [...current.resourceTags, { Key: `k${i}`, Value: 'v' }] })),
        ),
      );

      expect((await templates.get(REGISTRY, 'team'))?.resourceTags).toHaveLength(8);
    });

    it('deletes a template, answering what it was, and undefined when there was none', async () => {
      const { templates } = fixture;
      await templates.create(REGISTRY, template('team'));

      expect(await templates.delete(REGISTRY, 'team')).toEqual(template('team'));
      expect(await templates.delete(REGISTRY, 'team')).toBeUndefined();
      expect(await templates.get(REGISTRY, 'team')).toBeUndefined();
    });

    it('lists one registry’s templates in byte order of prefix, a page at a time', async () => {
      const { templates } = fixture;
      for (const prefix of ['team/b', 'ROOT', 'team', 'team/a']) await templates.create(REGISTRY, template(prefix));
      await templates.create(OTHER_REGISTRY, template('elsewhere'));

      const first = await templates.list(REGISTRY, { limit: 2 });
      const rest = await templates.list(REGISTRY, { last: 'team', limit: 10 });

      expect(first.map((t) => t.prefix)).toEqual(['ROOT', 'team']);
      expect(rest.map((t) => t.prefix)).toEqual(['team/a', 'team/b']);
    });
  });
}
