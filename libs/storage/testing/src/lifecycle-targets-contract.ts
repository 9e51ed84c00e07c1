import { DEFAULT_REPOSITORY_SETTINGS, type LifecycleTargets, type RepoRef, type RepositoryStore } from '@cargohold/storage-ports';
import { OTHER_REGISTRY, REGISTRY, T0 } from './metadata-fixture';

export interface LifecycleTargetsFixture {
  readonly repositories: RepositoryStore;
  readonly lifecycleTargets: LifecycleTargets;
  cleanup(): Promise<void>;
}

export type MakeLifecycleTargets = () => Promise<LifecycleTargetsFixture>;

const POLICY = '{"rules":[]}';

async function all(targets: LifecycleTargets): Promise<RepoRef[]> {
  const found: RepoRef[] = [];
  for await (const ref of targets.list()) found.push(ref);
  return found.sort((a, b) => `${a.registry}/${a.name}`.localeCompare(`${b.registry}/${b.name}`));
}

/** LifecycleTargets: every repository with a lifecycle policy, in every registry, once. */
export function describeLifecycleTargetsContract(name: string, make: MakeLifecycleTargets): void {
  describe(`LifecycleTargets (${name})`, () => {
    let fixture: LifecycleTargetsFixture;
    beforeEach(async () => (fixture = await make()));
    afterEach(() => fixture.cleanup());

    it('lists exactly the repositories whose settings hold a policy, across registries; a deleted policy leaves the list', async () => {
      const { repositories, lifecycleTargets } = fixture;
      const withPolicy = { ...DEFAULT_REPOSITORY_SETTINGS, lifecyclePolicyText: POLICY };
      await repositories.create({ registry: REGISTRY, name: 'a' }, T0, withPolicy);
      await repositories.create({ registry: REGISTRY, name: 'b' }, T0);
      await repositories.create({ registry: OTHER_REGISTRY, name: 'c' }, T0, withPolicy);
      await repositories.create({ registry: REGISTRY, name: 'd' }, T0, withPolicy);
      await repositories.update({ registry: REGISTRY, name: 'd' }, ({ lifecyclePolicyText: _gone, ...rest }) => rest);

      expect(await all(lifecycleTargets)).toEqual([
        { registry: REGISTRY, name: 'a' },
        { registry: OTHER_REGISTRY, name: 'c' },
      ]);
    });

    it('pages through many repositories without repeating one', async () => {
      const { repositories, lifecycleTargets } = fixture;
      const names = Array.from({ length: 1203 }, (_, i) => `repo-${String(i).padStart(4, '0')}`);
      for (const n of names) await repositories.create({ registry: REGISTRY, name: n }, T0, { ...DEFAULT_REPOSITORY_SETTINGS, lifecyclePolicyText: POLICY });

      const found = await all(lifecycleTargets);

      expect(found.map((ref) => ref.name)).toEqual(names);
    });
  });
}
