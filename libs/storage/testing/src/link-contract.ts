import { BlobReferencedError } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { at, digestFor, manifestRecord, OTHER_REGISTRY, putLinked, repoRef, T0 } from './metadata-fixture';

const app = repoRef('app');

/** BlobLinkStore: which repository may see which blob. */
export function describeBlobLinkStoreSpec(fixture: () => MetadataFixture): void {
  describe('BlobLinkStore', () => {
    beforeEach(async () => {
      await fixture().repositories.create(app, T0);
    });

    it('links a blob to a repository', async () => {
      const { links } = fixture();
      await links.link(app, digestFor('layer'), 1234, T0);
      expect(await links.stat(app, digestFor('layer'))).toEqual({ found: true, size: 1234 });
    });

    it('is idempotent: re-linking keeps the first size', async () => {
      const { links } = fixture();
      await links.link(app, digestFor('layer'), 1234, T0);
      await links.link(app, digestFor('layer'), 999, at(5));
      expect(await links.stat(app, digestFor('layer'))).toEqual({ found: true, size: 1234 });
    });

    it('scopes links by repository and registry', async () => {
      const { links } = fixture();
      await links.link(app, digestFor('layer'), 1, T0);
      expect(await links.stat(repoRef('other'), digestFor('layer'))).toEqual({ found: false });
      expect(await links.stat(repoRef('app', OTHER_REGISTRY), digestFor('layer'))).toEqual({ found: false });
      expect(await links.stat(app, digestFor('other-layer'))).toEqual({ found: false });
    });

    it('unlinks and answers whether a link existed', async () => {
      const { links } = fixture();
      await links.link(app, digestFor('layer'), 1, T0);
      expect(await links.unlink(app, digestFor('layer'))).toBe(true);
      expect(await links.stat(app, digestFor('layer'))).toEqual({ found: false });
      expect(await links.unlink(app, digestFor('layer'))).toBe(false);
    });

    it('refuses to unlink a blob a manifest of the repository lists, and keeps the link', async () => {
      const { links, manifests } = fixture();
      const layer = digestFor('m1/layer');
      await putLinked(fixture(), app, manifestRecord('m1'), ['latest']);
      await putLinked(fixture(), app, manifestRecord('m2', { blobs: [digestFor('m2/config'), layer] }), []);

      const error = await links.unlink(app, layer).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlobReferencedError);
      expect(error).toMatchObject({
        code: 'DENIED',
        status: 409,
        detail: { digest: layer, referencedBy: [digestFor('m1'), digestFor('m2')].sort() },
      });
      expect(await links.stat(app, layer)).toEqual({ found: true, size: 1 });

      expect(await manifests.delete(app, digestFor('m1'))).toBe(true);
      await expect(links.unlink(app, layer)).rejects.toBeInstanceOf(BlobReferencedError);
      expect(await manifests.delete(app, digestFor('m2'))).toBe(true);
      expect(await links.unlink(app, layer)).toBe(true);
      expect(await links.stat(app, layer)).toEqual({ found: false });
    });

    it('only counts manifests of the same repository', async () => {
      const { links, repositories } = fixture();
      const other = repoRef('other');
      await repositories.create(other, T0);
      await putLinked(fixture(), other, manifestRecord('m1'), []);
      await links.link(app, digestFor('m1/layer'), 1, T0);
      expect(await links.unlink(app, digestFor('m1/layer'))).toBe(true);
      await expect(links.unlink(other, digestFor('m1/layer'))).rejects.toBeInstanceOf(BlobReferencedError);
    });
  });
}
