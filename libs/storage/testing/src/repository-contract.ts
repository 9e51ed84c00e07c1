import { DEFAULT_REPOSITORY_SETTINGS } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { at, digestFor, manifestRecord, OTHER_REGISTRY, putLinked, REGISTRY, repoRef, T0 } from './metadata-fixture';

const created = (name: string, createdAt = T0) => ({ registry: REGISTRY, name, createdAt, settings: DEFAULT_REPOSITORY_SETTINGS });

/** RepositoryStore: idempotent create, byte-ordered listing, cascading delete. */
export function describeRepositoryStoreSpec(fixture: () => MetadataFixture): void {
  describe('RepositoryStore', () => {
    it('creates a repository and reads it back', async () => {
      const { repositories } = fixture();
      const made = await repositories.create(repoRef('app'), T0);
      expect(made).toEqual({ created: true, repository: created('app') });
      expect(await repositories.get(repoRef('app'))).toEqual(created('app'));
    });

    it('returns an existing repository unchanged with created:false', async () => {
      const { repositories } = fixture();
      await repositories.create(repoRef('app'), T0);
      const again = await repositories.create(repoRef('app'), at(60));
      expect(again).toEqual({ created: false, repository: created('app') });
    });

    it('answers undefined for an unknown repository, scoped by registry', async () => {
      const { repositories } = fixture();
      await repositories.create(repoRef('app'), T0);
      expect(await repositories.get(repoRef('other'))).toBeUndefined();
      expect(await repositories.get(repoRef('app', OTHER_REGISTRY))).toBeUndefined();
    });

    it('lists names of one registry in byte order, uppercase before lowercase', async () => {
      const { repositories } = fixture();
      for (const name of ['b', 'a/b', 'Z', 'a', 'a-b', 'B']) await repositories.create(repoRef(name), T0);
      await repositories.create(repoRef('c', OTHER_REGISTRY), T0);
      expect(await repositories.list(REGISTRY, { limit: 100 })).toEqual(['B', 'Z', 'a', 'a-b', 'a/b', 'b']);
      expect(await repositories.list(OTHER_REGISTRY, { limit: 100 })).toEqual(['c']);
      expect(await repositories.list('222222222222:us-east-1', { limit: 100 })).toEqual([]);
    });

    it('paginates by keyset: strictly after last, at most limit', async () => {
      const { repositories } = fixture();
      for (const name of ['e', 'd', 'c', 'b', 'a']) await repositories.create(repoRef(name), T0);
      expect(await repositories.list(REGISTRY, { limit: 2 })).toEqual(['a', 'b']);
      expect(await repositories.list(REGISTRY, { last: 'b', limit: 2 })).toEqual(['c', 'd']);
      expect(await repositories.list(REGISTRY, { last: 'bb', limit: 2 })).toEqual(['c', 'd']);
      expect(await repositories.list(REGISTRY, { last: 'd', limit: 2 })).toEqual(['e']);
      expect(await repositories.list(REGISTRY, { last: 'e', limit: 2 })).toEqual([]);
    });

    it('lists whole repositories with the same pages as the names', async () => {
      const { repositories } = fixture();
      for (const name of ['c', 'b', 'a']) await repositories.create(repoRef(name), T0);
      await repositories.update(repoRef('b'), (settings) => ({ ...settings, scanOnPush: true }));
      await repositories.create(repoRef('d', OTHER_REGISTRY), T0);
      const b = { ...created('b'), settings: { ...DEFAULT_REPOSITORY_SETTINGS, scanOnPush: true } };
      expect(await repositories.listRecords(REGISTRY, { limit: 2 })).toEqual([created('a'), b]);
      expect(await repositories.listRecords(REGISTRY, { last: 'a', limit: 5 })).toEqual([b, created('c')]);
      expect(await repositories.listRecords(REGISTRY, { last: 'c', limit: 5 })).toEqual([]);
      expect(await repositories.listRecords(REGISTRY, { limit: 0 })).toEqual([]);
    });

    it('deletes a repository and answers false when there was none', async () => {
      const { repositories } = fixture();
      await repositories.create(repoRef('app'), T0);
      expect(await repositories.delete(repoRef('app'))).toBe(true);
      expect(await repositories.get(repoRef('app'))).toBeUndefined();
      expect(await repositories.delete(repoRef('app'))).toBe(false);
    });

    it('cascades a delete to manifests, tags, blob links and upload sessions of that repository only', async () => {
      const { repositories, manifests, links, sessions } = fixture();
      const app = repoRef('app');
      const app2 = repoRef('app2');
      const neighbours = [app2, repoRef('app', OTHER_REGISTRY)];
      const m = manifestRecord('m1');
      for (const repo of [app, ...neighbours]) {
        await repositories.create(repo, T0);
        await putLinked(fixture(), repo, m, ['latest']);
        await links.link(repo, digestFor('layer'), 10, T0);
      }
      await sessions.create({ id: '00000000-0000-4000-8000-000000000001', repo: app, startedAt: T0, updatedAt: T0 });
      await sessions.create({ id: '00000000-0000-4000-8000-000000000002', repo: app2, startedAt: T0, updatedAt: T0 });

      expect(await repositories.delete(app)).toBe(true);

      expect(await manifests.get(app, m.digest)).toBeUndefined();
      expect(await manifests.resolveTag(app, 'latest')).toBeUndefined();
      expect(await manifests.listTags(app, { limit: 10 })).toEqual([]);
      expect(await links.stat(app, digestFor('layer'))).toEqual({ found: false });
      expect(await sessions.get('00000000-0000-4000-8000-000000000001')).toBeUndefined();
      for (const repo of neighbours) {
        expect(await manifests.resolveTag(repo, 'latest')).toBe(m.digest);
        expect(await links.stat(repo, digestFor('layer'))).toEqual({ found: true, size: 10 });
      }
      expect(await sessions.get('00000000-0000-4000-8000-000000000002')).toBeDefined();

      await repositories.create(app, at(1));
      expect(await manifests.get(app, m.digest)).toBeUndefined();
    });
  });
}
