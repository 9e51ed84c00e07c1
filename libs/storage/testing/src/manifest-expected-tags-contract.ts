import type { MetadataFixture } from './metadata-fixture';
import { digestFor, manifestRecord, putLinked, repoRef } from './metadata-fixture';

const app = repoRef('app');

/** ManifestStore.delete with `expectedTags`: the lifecycle sweeper's "still as selected" check, atomic with the delete. */
export function describeManifestExpectedTagsSpec(fixture: () => MetadataFixture): void {
  describe('delete with expected tags', () => {
    it('deletes when exactly the expected tags are on the manifest (none for an untagged one)', async () => {
      const { manifests } = fixture();
      await putLinked(fixture(), app, manifestRecord('m1'), ['a', 'b']);
      await putLinked(fixture(), app, manifestRecord('m2'), []);

      await expect(manifests.delete(app, digestFor('m1'), [], { expectedTags: ['a', 'b'] })).resolves.toBe(true);
      await expect(manifests.delete(app, digestFor('m2'), [], { expectedTags: [] })).resolves.toBe(true);
      expect(await manifests.get(app, digestFor('m1'))).toBeUndefined();
      expect(await manifests.resolveTag(app, 'a')).toBeUndefined();
    });

    it('answers false and changes nothing when the tags differ (tagged since, or untagged since)', async () => {
      const { manifests } = fixture();
      await putLinked(fixture(), app, manifestRecord('m1'), ['late']);
      await putLinked(fixture(), app, manifestRecord('m2'), ['a', 'b']);

      await expect(manifests.delete(app, digestFor('m1'), [], { expectedTags: [] })).resolves.toBe(false);
      await expect(manifests.delete(app, digestFor('m2'), [], { expectedTags: ['a'] })).resolves.toBe(false);
      expect(await manifests.resolveTag(app, 'late')).toBe(digestFor('m1'));
      expect(await manifests.tagsOf(app, digestFor('m2'))).toEqual(['a', 'b']);
    });
  });
}
