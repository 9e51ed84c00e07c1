import { DEFAULT_REPOSITORY_SETTINGS } from '@cargohold/storage-ports';
import type { RepositorySettings, ResourceTag } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { at, OTHER_REGISTRY, POLICY_TEXT, REGISTRY, repoRef, T0 } from './metadata-fixture';

const app = repoRef('app');

const CUSTOM: RepositorySettings = {
  imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
  imageTagMutabilityExclusionFilters: [
    { filterType: 'WILDCARD', filter: 'latest' },
    { filterType: 'WILDCARD', filter: 'dev-*' },
  ],
  scanOnPush: true,
  encryption: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/0000' },
  tags: [
    { Key: 'team', Value: 'platform' },
    { Key: 'cost-centre', Value: '' },
  ],
  policyText: POLICY_TEXT,
};

/** What DEFAULT_REPOSITORY_SETTINGS must still equal after any test: adapters never hand the constant out. */
const PRISTINE_DEFAULTS = {
  imageTagMutability: 'MUTABLE',
  imageTagMutabilityExclusionFilters: [],
  scanOnPush: false,
  encryption: { encryptionType: 'AES256' },
  tags: [],
};

const tag = (Key: string): ResourceTag => ({ Key, Value: Key.toUpperCase() });
const addTag =
  (Key: string) =>
  (current: RepositorySettings): RepositorySettings => ({
    ...current,
    tags: [...current.tags, tag(Key)],
  });

/** RepositoryStore settings: defaults, create never overwrites, atomic read-modify-write updates. */
export function describeRepositorySettingsSpec(fixture: () => MetadataFixture): void {
  describe('RepositoryStore settings', () => {
    it('creates with DEFAULT_REPOSITORY_SETTINGS when settings are omitted', async () => {
      const { repositories } = fixture();
      const { repository } = await repositories.create(app, T0);
      expect(repository.settings).toEqual(DEFAULT_REPOSITORY_SETTINGS);
      expect((await repositories.get(app))?.settings).toEqual(DEFAULT_REPOSITORY_SETTINGS);
    });

    it('round-trips every settings field, the policy text byte-for-byte', async () => {
      const { repositories } = fixture();
      const made = await repositories.create(app, T0, CUSTOM);
      expect(made).toEqual({ created: true, repository: { registry: REGISTRY, name: 'app', createdAt: T0, settings: CUSTOM } });
      const got = await repositories.get(app);
      expect(got?.settings).toEqual(CUSTOM);
      expect(got?.settings.policyText).toBe(POLICY_TEXT);
    });

    it('never overwrites the settings of an existing repository on create', async () => {
      const { repositories } = fixture();
      await repositories.create(app, T0, CUSTOM);
      const again = await repositories.create(app, at(60), DEFAULT_REPOSITORY_SETTINGS);
      expect(again).toEqual({ created: false, repository: { registry: REGISTRY, name: 'app', createdAt: T0, settings: CUSTOM } });
      expect((await repositories.get(app))?.settings).toEqual(CUSTOM);
    });

    it('keeps settings per repository and registry', async () => {
      const { repositories } = fixture();
      const neighbours = [repoRef('app2'), repoRef('app', OTHER_REGISTRY)];
      for (const repo of [app, ...neighbours]) await repositories.create(repo, T0);
      await repositories.update(app, () => CUSTOM);
      for (const repo of neighbours) expect((await repositories.get(repo))?.settings).toEqual(DEFAULT_REPOSITORY_SETTINGS);
    });

    it('forgets the settings with the repository: a re-created one starts from the defaults', async () => {
      const { repositories } = fixture();
      await repositories.create(app, T0, CUSTOM);
      await repositories.delete(app);
      const { repository } = await repositories.create(app, at(1));
      expect(repository.settings).toEqual(DEFAULT_REPOSITORY_SETTINGS);
    });

    describe('update', () => {
      it('applies mutate to the current settings and returns the updated repository', async () => {
        const { repositories } = fixture();
        await repositories.create(app, T0, CUSTOM);
        const seen: RepositorySettings[] = [];
        const updated = await repositories.update(app, (current) => {
          seen.push(current);
          return { ...current, scanOnPush: false, imageTagMutability: 'MUTABLE' };
        });
        const expected = { ...CUSTOM, scanOnPush: false, imageTagMutability: 'MUTABLE' };
        expect(seen).toEqual([CUSTOM]);
        expect(updated).toEqual({ registry: REGISTRY, name: 'app', createdAt: T0, settings: expected });
        expect(await repositories.get(app)).toEqual(updated);
      });

      it('stores the result wholesale: a field mutate leaves out is gone', async () => {
        const { repositories } = fixture();
        await repositories.create(app, T0, CUSTOM);
        await repositories.update(app, ({ policyText: _dropped, ...rest }) => rest);
        const got = await repositories.get(app);
        expect(got?.settings).toEqual({ ...CUSTOM, policyText: undefined });
        expect(got?.settings.policyText).toBeUndefined();
      });

      it('round-trips a policy text set by update byte-for-byte', async () => {
        const { repositories } = fixture();
        await repositories.create(app, T0);
        const updated = await repositories.update(app, (current) => ({ ...current, policyText: POLICY_TEXT }));
        expect(updated?.settings.policyText).toBe(POLICY_TEXT);
        expect((await repositories.get(app))?.settings.policyText).toBe(POLICY_TEXT);
      });

      it('answers undefined for an unknown repository and creates nothing', async () => {
        const { repositories } = fixture();
        await repositories.create(app, T0);
        expect(await repositories.update(repoRef('other'), addTag('x'))).toBeUndefined();
        expect(await repositories.update(repoRef('app', OTHER_REGISTRY), addTag('x'))).toBeUndefined();
        expect(await repositories.get(repoRef('other'))).toBeUndefined();
        expect(await repositories.list(OTHER_REGISTRY, { limit: 10 })).toEqual([]);
      });

      it.each([
        ['default', DEFAULT_REPOSITORY_SETTINGS],
        ['custom', CUSTOM],
      ])('propagates an error mutate throws and changes nothing (%s settings), even if mutate edited its argument', async (_, settings) => {
        const { repositories } = fixture();
        await repositories.create(app, T0, settings);
        const refused = new Error('refused');
        const update = repositories.update(app, (current) => {
          (current.tags as ResourceTag[]).push(tag('sneaky'));
          (current.imageTagMutabilityExclusionFilters as unknown[]).push({ filterType: 'WILDCARD', filter: 'x' });
          (current as { scanOnPush: boolean }).scanOnPush = !current.scanOnPush;
          throw refused;
        });
        await expect(update).rejects.toBe(refused);
        expect((await repositories.get(app))?.settings).toEqual(settings);
        expect(DEFAULT_REPOSITORY_SETTINGS).toEqual(PRISTINE_DEFAULTS);
      });

      it('loses no update when several run concurrently', async () => {
        const { repositories } = fixture();
        await repositories.create(app, T0);
        const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
        await Promise.all([
          ...keys.map((key) => repositories.update(app, addTag(key))),
          repositories.update(app, (current) => ({ ...current, scanOnPush: true })),
        ]);
        const settings = (await repositories.get(app))?.settings;
        expect(settings?.scanOnPush).toBe(true);
        expect(settings?.tags).toHaveLength(keys.length);
        expect(settings?.tags).toEqual(expect.arrayContaining(keys.map(tag)));
      });
    });
  });
}
