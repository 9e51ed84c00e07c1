import type { MetadataFixture } from './metadata-fixture';
import { at, digestFor, OTHER_REGISTRY, repoRef, T0 } from './metadata-fixture';

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
  });
}
