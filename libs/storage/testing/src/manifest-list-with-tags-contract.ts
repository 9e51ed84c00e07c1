import { summaryOf, type ManifestRecord, type ManifestSummary } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { digestFor, indexRecord, manifestRecord, putLinked, repoRef, T0 } from './metadata-fixture';

const app = repoRef('app');
const byDigest = (a: ManifestSummary, b: ManifestSummary) => (a.digest < b.digest ? -1 : 1);

/** ManifestStore.listWithTags: `list`'s pages, each record summarised, with the tags `tagsOf` answers for it. */
export function describeManifestListWithTagsSpec(fixture: () => MetadataFixture): void {
  describe('listWithTags', () => {
    it('pages like list, each record without blobs and children, with its own tags sorted, untagged ones with none', async () => {
      const { manifests } = fixture();
      const child = manifestRecord('child');
      const tagged: [ManifestRecord, string[]][] = [
        [manifestRecord('one'), ['z', 'a', 'M']],
        [manifestRecord('two'), ['latest']],
        [child, []],
        [indexRecord('index', [child]), ['multi']],
        [manifestRecord('signature', { subject: digestFor('one') }), []],
        [manifestRecord('plain'), []],
      ];
      for (const [record, tags] of tagged) await putLinked(fixture(), app, record, tags);
      const expected = tagged.map(([record, tags]) => ({ record: summaryOf(record), tags: [...tags].sort() })).sort((a, b) => byDigest(a.record, b.record));

      expect(await manifests.listWithTags(app, { limit: 100 })).toEqual(expected);
      expect(await manifests.listWithTags(app, { limit: 2 })).toEqual(expected.slice(0, 2));
      expect(await manifests.listWithTags(app, { last: expected[1]?.record.digest, limit: 3 })).toEqual(expected.slice(2, 5));
      expect(await manifests.listWithTags(app, { last: expected[4]?.record.digest, limit: 3 })).toEqual(expected.slice(5));
      expect(await manifests.listWithTags(app, { last: expected[5]?.record.digest, limit: 3 })).toEqual([]);
      expect(await manifests.listWithTags(app, { limit: 0 })).toEqual([]);
    });

    it('follows tag moves and deletes, and reads one repository only', async () => {
      const { manifests, repositories } = fixture();
      const other = repoRef('other');
      await repositories.create(other, T0);
      await putLinked(fixture(), other, manifestRecord('m1'), ['elsewhere']);
      await putLinked(fixture(), app, manifestRecord('m1'), ['a', 'b']);
      await putLinked(fixture(), app, manifestRecord('m2'), ['b']);
      await manifests.deleteTag(app, 'a');

      const page = await manifests.listWithTags(app, { limit: 10 });
      const tagsOf = Object.fromEntries(page.map((entry) => [entry.record.digest, entry.tags]));
      expect(tagsOf).toEqual({ [digestFor('m1')]: [], [digestFor('m2')]: ['b'] });
      expect(await manifests.listWithTags(repoRef('nothing'), { limit: 10 })).toEqual([]);
    });
  });
}
