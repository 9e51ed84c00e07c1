import { TagConflictError } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { digestFor, manifestRecord, putLinked, repoRef, T0 } from './metadata-fixture';

const app = repoRef('app');
const immutable = (...tags: string[]) => ({ immutableTags: tags });

/**
 * ManifestStore.put with `immutableTags`: a tag that may be created or re-pointed at its own digest, never
 * moved, checked atomically with the write (the repository is created by the caller's beforeEach).
 */
export function describeManifestTagConditionSpec(fixture: () => MetadataFixture): void {
  describe('immutable tags', () => {
    it('creates an absent immutable tag, and accepts the same digest again', async () => {
      const { manifests } = fixture();
      await expect(putLinked(fixture(), app, manifestRecord('m1'), ['v1'], immutable('v1'))).resolves.toEqual({ previous: {} });
      await expect(putLinked(fixture(), app, manifestRecord('m1'), ['v1', 'latest'], immutable('v1'))).resolves.toEqual({ previous: {} });
      expect(await manifests.resolveTag(app, 'v1')).toBe(digestFor('m1'));
      expect(await manifests.resolveTag(app, 'latest')).toBe(digestFor('m1'));
    });

    it('refuses to move an immutable tag with TagConflictError, moving none of the put`s tags', async () => {
      const { manifests } = fixture();
      await putLinked(fixture(), app, manifestRecord('m1'), ['v1', 'latest']);
      const refused = putLinked(fixture(), app, manifestRecord('m2'), ['latest', 'v1', 'new'], immutable('v1'));
      await expect(refused).rejects.toThrow(TagConflictError);
      await expect(refused).rejects.toMatchObject({ tag: 'v1', current: digestFor('m1') });
      expect(await manifests.resolveTag(app, 'v1')).toBe(digestFor('m1'));
      expect(await manifests.resolveTag(app, 'latest')).toBe(digestFor('m1'));
      expect(await manifests.resolveTag(app, 'new')).toBeUndefined();
      expect(await manifests.tagsOf(app, digestFor('m2'))).toEqual([]);
    });

    it('leaves tags the put was not told are immutable last-writer-wins', async () => {
      const { manifests } = fixture();
      await putLinked(fixture(), app, manifestRecord('m1'), ['v1']);
      await expect(putLinked(fixture(), app, manifestRecord('m2'), ['v1'], immutable('other'))).resolves.toEqual({ previous: { v1: digestFor('m1') } });
      expect(await manifests.resolveTag(app, 'v1')).toBe(digestFor('m2'));
    });

    it('lets exactly one of concurrent puts of different digests create the tag', async () => {
      const { manifests } = fixture();
      const records = Array.from({ length: 8 }, (_, i) => manifestRecord(`racer-${i}`));
      for (const record of records) for (const blob of record.blobs) await fixture().links.link(app, blob, 1, T0);
      const results = await Promise.allSettled(records.map((record) => manifests.put(app, record, ['v1'], [], immutable('v1'))));
      const won = records.filter((_, i) => results[i]?.status === 'fulfilled').map((record) => record.digest);
      expect(won).toHaveLength(1);
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(TagConflictError);
      expect(await manifests.resolveTag(app, 'v1')).toBe(won[0]);
      expect(await manifests.listTags(app, { limit: 10 })).toEqual(['v1']);
    });
  });
}
