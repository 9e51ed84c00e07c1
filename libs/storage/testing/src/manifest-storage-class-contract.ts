import type { MetadataFixture } from './metadata-fixture';
import { at, digestFor, manifestRecord, putLinked, repoRef, T0 } from './metadata-fixture';

const app = repoRef('app');

/**
 * ManifestStore.setStorageClass: ECR's archive storage class, its stamps, and how a re-push leaves it
 * (the repository is created by the caller's beforeEach).
 */
export function describeManifestStorageClassSpec(fixture: () => MetadataFixture): void {
  describe('storage class', () => {
    it('reads a new record as STANDARD (no class, no stamps)', async () => {
      await putLinked(fixture(), app, manifestRecord('m1'), ['v1']);
      const record = await fixture().manifests.get(app, digestFor('m1'));
      expect(record?.storageClass ?? 'STANDARD').toBe('STANDARD');
      expect(record?.lastArchivedAt).toBeUndefined();
      expect(record?.lastActivatedAt).toBeUndefined();
    });

    it('archives and restores, stamping lastArchivedAt and lastActivatedAt; a repeat changes nothing', async () => {
      const { manifests } = fixture();
      await putLinked(fixture(), app, manifestRecord('m1'), ['v1']);

      const archived = await manifests.setStorageClass(app, digestFor('m1'), 'ARCHIVE', at(10));
      const again = await manifests.setStorageClass(app, digestFor('m1'), 'ARCHIVE', at(20));
      const restored = await manifests.setStorageClass(app, digestFor('m1'), 'STANDARD', at(30));

      expect(archived).toMatchObject({ storageClass: 'ARCHIVE', lastArchivedAt: at(10) });
      expect(again).toMatchObject({ storageClass: 'ARCHIVE', lastArchivedAt: at(10) });
      expect(restored).toMatchObject({ storageClass: 'STANDARD', lastArchivedAt: at(10), lastActivatedAt: at(30), pushedAt: T0 });
      expect(await manifests.get(app, digestFor('m1'))).toEqual(restored);
      expect(await manifests.resolveTag(app, 'v1')).toBe(digestFor('m1'));
    });

    it('answers undefined for an unknown digest and creates nothing', async () => {
      const { manifests } = fixture();
      await expect(manifests.setStorageClass(app, digestFor('nope'), 'ARCHIVE', at(1))).resolves.toBeUndefined();
      expect(await manifests.get(app, digestFor('nope'))).toBeUndefined();
    });

    it('keeps an archived image archived when it is pushed again', async () => {
      const { manifests } = fixture();
      await putLinked(fixture(), app, manifestRecord('m1'), ['v1']);
      await manifests.setStorageClass(app, digestFor('m1'), 'ARCHIVE', at(10));
      await putLinked(fixture(), app, manifestRecord('m1', { pushedAt: at(60) }), ['v2']);
      expect(await manifests.get(app, digestFor('m1'))).toMatchObject({ storageClass: 'ARCHIVE', pushedAt: T0 });
    });
  });
}
