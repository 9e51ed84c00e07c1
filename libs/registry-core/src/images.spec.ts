import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf, ociImage, ociIndex, OCI_MANIFEST, type ImageFixture } from '@cargohold/storage-testing';
import { ImageAlreadyExistsError, ImageDigestMismatchError, ImageTagImmutableError } from './ecr-errors';
import { ManifestUnknownError, NameUnknownError } from './errors';
import { createRegistry, type Registry } from './registry';

const repo = { registry: '111122223333:us-east-1', name: 'team/app' };
const MISSING = `sha256:${'0'.repeat(64)}`;

function setup(settings: { createRepositoryOnPush?: boolean } = {}) {
  const storage = createMemoryStorage();
  const registry = createRegistry({ storage, settings, clock: { now: () => new Date('2026-01-01T00:00:00Z') } });
  return { storage, registry, images: registry.images };
}

/** Uploads the image's blobs and pushes its manifest under each tag (or by digest when there is none). */
async function push(registry: Registry, image: ImageFixture, ...tags: string[]): Promise<ImageFixture> {
  for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
  await registry.manifests.put(repo, tags[0] ?? image.digest, image.manifest, image.mediaType, tags.slice(1));
  return image;
}

describe('ImageService', () => {
  describe('resolve', () => {
    it('finds an image by tag, by digest, and by a tag with its matching digest', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      const byTag = await images.resolve(repo, { imageTag: 'v1' });
      const byDigest = await images.resolve(repo, { imageDigest: image.digest });
      const byBoth = await images.resolve(repo, { imageDigest: image.digest, imageTag: 'v1' });

      expect(byTag).toMatchObject({ ok: true, tag: 'v1', record: { digest: image.digest } });
      expect(byDigest).toEqual({ ok: true, record: expect.objectContaining({ digest: image.digest }) });
      expect(byBoth).toMatchObject({ ok: true, tag: 'v1', record: { digest: image.digest } });
    });

    it.each([
      [{}, 'MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null'],
      [{ imageDigest: 'sha256:nothex' }, 'InvalidImageDigest', 'Invalid request parameters: image digest should satisfy the regex'],
      [{ imageTag: '-leading-dash' }, 'InvalidImageTag', 'Invalid request parameters: image tag should satisfy the regex'],
      [{ imageTag: 'absent' }, 'ImageNotFound', 'Requested image not found'],
      [{ imageDigest: MISSING }, 'ImageNotFound', 'Requested image not found'],
      [{ imageDigest: MISSING, imageTag: 'absent' }, 'ImageNotFound', 'Requested image not found'],
    ])('reports %j as the per-image failure %s', async (imageId, failureCode, failureReason) => {
      const { registry, images } = setup();
      await push(registry, ociImage('amd64'), 'v1');

      const resolved = await images.resolve(repo, imageId);

      expect(resolved).toEqual({ ok: false, failure: { imageId, failureCode, failureReason } });
    });

    it('reports ImageTagDoesNotMatchDigest when the tag points at another image', async () => {
      const { registry, images } = setup();
      await push(registry, ociImage('amd64'), 'v1');
      const other = await push(registry, ociImage('arm64'), 'v2');

      const resolved = await images.resolve(repo, { imageDigest: other.digest, imageTag: 'v1' });

      expect(resolved).toMatchObject({ ok: false, failure: { failureCode: 'ImageTagDoesNotMatchDigest' } });
    });
  });

  describe('list', () => {
    it('lists one id per tag and a bare digest for an untagged image', async () => {
      const { registry, images } = setup();
      const tagged = await push(registry, ociImage('amd64'), 'v1', 'latest');
      const untagged = await push(registry, ociImage('arm64'));

      const { imageIds, next } = await images.list(repo, 'ANY', 100);

      expect(next).toBeUndefined();
      expect(imageIds).toHaveLength(3);
      expect(imageIds).toEqual(
        expect.arrayContaining([
          { imageDigest: tagged.digest, imageTag: 'latest' },
          { imageDigest: tagged.digest, imageTag: 'v1' },
          { imageDigest: untagged.digest },
        ]),
      );
    });

    it('filters by tag status', async () => {
      const { registry, images } = setup();
      const tagged = await push(registry, ociImage('amd64'), 'v1');
      const untagged = await push(registry, ociImage('arm64'));

      await expect(images.list(repo, 'TAGGED', 100)).resolves.toEqual({ imageIds: [{ imageDigest: tagged.digest, imageTag: 'v1' }] });
      await expect(images.list(repo, 'UNTAGGED', 100)).resolves.toEqual({ imageIds: [{ imageDigest: untagged.digest }] });
    });

    it('pages images in digest order, each page naming where the next one starts', async () => {
      const { registry, images } = setup();
      const digests: string[] = [];
      for (const seed of ['a', 'b', 'c', 'd', 'e']) digests.push((await push(registry, ociImage(seed))).digest);
      digests.sort();

      const first = await images.list(repo, 'ANY', 2);
      const second = await images.list(repo, 'ANY', 2, first.next);
      const last = await images.list(repo, 'ANY', 2, second.next);

      expect(first).toEqual({ imageIds: digests.slice(0, 2).map((imageDigest) => ({ imageDigest })), next: digests[1] });
      expect(second).toEqual({ imageIds: digests.slice(2, 4).map((imageDigest) => ({ imageDigest })), next: digests[3] });
      expect(last).toEqual({ imageIds: [{ imageDigest: digests[4] }] });
    });

    it('bounds a page by image ids, not images, and resumes inside an image with several tags', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('multi'), 't1', 't2', 't3');
      const ids = ['t1', 't2', 't3'].map((imageTag) => ({ imageDigest: image.digest, imageTag }));

      const first = await images.list(repo, 'ANY', 2);
      const rest = await images.list(repo, 'ANY', 2, first.next);

      expect(first.imageIds).toHaveLength(2);
      expect([...first.imageIds, ...rest.imageIds]).toEqual(expect.arrayContaining(ids));
      expect(rest).not.toHaveProperty('next');
      expect(rest.imageIds).toHaveLength(1);
    });

    it('reads past the store’s pages of 100 to fill a filtered page', async () => {
      const { registry, images } = setup();
      for (let i = 0; i < 120; i++) await push(registry, ociImage(`untagged-${i}`));
      const tagged = await push(registry, ociImage('tagged'), 'v1');

      const page = await images.list(repo, 'TAGGED', 10);

      expect(page).toEqual({ imageIds: [{ imageDigest: tagged.digest, imageTag: 'v1' }] });
    });

    it('ends without a next page when the last page is exactly full', async () => {
      const { registry, images } = setup();
      await push(registry, ociImage('a'));
      await push(registry, ociImage('b'));

      await expect(images.list(repo, 'ANY', 2)).resolves.not.toHaveProperty('next');
    });

    it('refuses a repository that does not exist', async () => {
      const { images } = setup();

      await expect(images.list(repo, 'ANY', 100)).rejects.toBeInstanceOf(NameUnknownError);
    });
  });

  describe('describe', () => {
    it('describes named images once each, with all their tags', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1', 'latest');

      const { details } = await images.describe(repo, [{ imageTag: 'v1' }, { imageDigest: image.digest }], 'ANY', 100);

      expect(details).toHaveLength(1);
      expect(details[0]).toMatchObject({ tags: ['latest', 'v1'], record: { digest: image.digest, mediaType: OCI_MANIFEST } });
      expect(details[0]?.record.imageSizeBytes).toBe(image.layer.length);
    });

    it('throws ImageNotFound (ManifestUnknownError) when any named image is missing', async () => {
      const { registry, images } = setup();
      await push(registry, ociImage('amd64'), 'v1');

      const error = await images.describe(repo, [{ imageTag: 'v1' }, { imageTag: 'gone' }], 'ANY', 100).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ManifestUnknownError);
      expect(error).toMatchObject({ code: 'MANIFEST_UNKNOWN', message: expect.stringContaining('"imageTag":"gone"') });
    });

    it('pages all images when none are named', async () => {
      const { registry, images } = setup();
      const a = await push(registry, ociImage('a'), 'one');
      const b = await push(registry, ociImage('b'), 'two');
      const [firstDigest, secondDigest] = [a.digest, b.digest].sort();

      const first = await images.describe(repo, undefined, 'ANY', 1);
      const second = await images.describe(repo, undefined, 'ANY', 1, first.next);

      expect(first.details.map((d) => d.record.digest)).toEqual([firstDigest]);
      expect(first.next).toBe(firstDigest);
      expect(second.details.map((d) => d.record.digest)).toEqual([secondDigest]);
      expect(second.next).toBeUndefined();
    });

    it('refuses a repository that does not exist', async () => {
      const { images } = setup();

      await expect(images.describe(repo, [{ imageTag: 'v1' }], 'ANY', 100)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    });
  });

  describe('batchGet', () => {
    it('returns found manifests and per-image failures for the rest', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      const result = await images.batchGet(repo, [{ imageTag: 'v1' }, { imageTag: 'gone' }, {}], undefined);

      expect(result.images).toEqual([{ imageId: { imageDigest: image.digest, imageTag: 'v1' }, manifest: image.manifest, mediaType: OCI_MANIFEST }]);
      expect(result.failures.map((f) => [f.imageId, f.failureCode])).toEqual([
        [{ imageTag: 'gone' }, 'ImageNotFound'],
        [{}, 'MissingDigestAndTag'],
      ]);
    });

    it('answers ImageNotFound for an image whose media type is not accepted', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      const result = await images.batchGet(repo, [{ imageDigest: image.digest }], ['application/vnd.docker.distribution.manifest.v2+json']);

      expect(result.images).toEqual([]);
      expect(result.failures).toEqual([{ imageId: { imageDigest: image.digest }, failureCode: 'ImageNotFound', failureReason: expect.any(String) }]);
    });

    it('records the pull on the image', async () => {
      const { registry, images, storage } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      await images.batchGet(repo, [{ imageTag: 'v1' }], undefined);

      expect((await storage.manifests.get(repo, image.digest))?.lastPulledAt).toEqual(new Date('2026-01-01T00:00:00Z'));
    });
  });

  describe('batchDelete', () => {
    it('by digest removes the image with every tag on it', async () => {
      const { registry, images, storage } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1', 'latest');

      const result = await images.batchDelete(repo, [{ imageDigest: image.digest }]);

      expect(result).toEqual({
        deleted: [
          { imageDigest: image.digest, imageTag: 'latest' },
          { imageDigest: image.digest, imageTag: 'v1' },
        ],
        failures: [],
      });
      expect(await storage.manifests.get(repo, image.digest)).toBeUndefined();
      expect(await storage.manifests.resolveTag(repo, 'latest')).toBeUndefined();
    });

    it('by tag removes only that tag while the image has others', async () => {
      const { registry, images, storage } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1', 'latest');

      const result = await images.batchDelete(repo, [{ imageTag: 'v1' }]);

      expect(result).toEqual({ deleted: [{ imageDigest: image.digest, imageTag: 'v1' }], failures: [] });
      expect(await storage.manifests.tagsOf(repo, image.digest)).toEqual(['latest']);
    });

    it('by its last tag removes the image too', async () => {
      const { registry, images, storage } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      const result = await images.batchDelete(repo, [{ imageTag: 'v1' }]);

      expect(result.deleted).toEqual([{ imageDigest: image.digest, imageTag: 'v1' }]);
      expect(await storage.manifests.get(repo, image.digest)).toBeUndefined();
    });

    it('refuses an image an index still lists (ImageReferencedByManifestList) and keeps it', async () => {
      const { registry, images, storage } = setup();
      const child = await push(registry, ociImage('amd64'));
      const index = ociIndex([child]);
      await registry.manifests.put(repo, 'latest', index.manifest, index.mediaType);

      const result = await images.batchDelete(repo, [{ imageDigest: child.digest }]);

      expect(result.deleted).toEqual([]);
      expect(result.failures).toEqual([
        { imageId: { imageDigest: child.digest }, failureCode: 'ImageReferencedByManifestList', failureReason: expect.any(String) },
      ]);
      expect(await storage.manifests.get(repo, child.digest)).toBeDefined();
    });

    it('reports missing images as failures and still deletes the others', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('amd64'));

      const result = await images.batchDelete(repo, [{ imageDigest: MISSING }, { imageDigest: image.digest }, { imageDigest: image.digest }]);

      expect(result.deleted).toEqual([{ imageDigest: image.digest }]);
      expect(result.failures.map((f) => [f.imageId.imageDigest, f.failureCode])).toEqual([
        [MISSING, 'ImageNotFound'],
        [image.digest, 'ImageNotFound'],
      ]);
    });

    it('refuses a repository that does not exist', async () => {
      const { images } = setup();

      await expect(images.batchDelete(repo, [{ imageTag: 'v1' }])).rejects.toBeInstanceOf(NameUnknownError);
    });
  });

  describe('put', () => {
    it('pushes a manifest under a tag, taking the media type from the manifest when none is given', async () => {
      const { registry, images, storage } = setup();
      const image = ociImage('amd64');
      for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));

      const pushed = await images.put(repo, image.manifest, undefined, 'v1', undefined);

      expect(pushed).toMatchObject({ digest: image.digest, mediaType: OCI_MANIFEST, tags: ['v1'] });
      expect(await storage.manifests.resolveTag(repo, 'v1')).toBe(image.digest);
    });

    it('refuses a claimed digest that is not the manifest’s (ImageDigestDoesNotMatch)', async () => {
      const { registry, images, storage } = setup();
      const image = ociImage('amd64');
      for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));

      const error = await images.put(repo, image.manifest, OCI_MANIFEST, 'v1', MISSING).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ImageDigestMismatchError);
      expect(error).toMatchObject({ message: `The image digest '${MISSING}' does not match the digest '${image.digest}' of the image manifest` });
      expect(await storage.manifests.resolveTag(repo, 'v1')).toBeUndefined();
    });

    it('refuses to put the same image under the tag that already points at it (ImageAlreadyExists)', async () => {
      const { registry, images } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      const error = await images.put(repo, image.manifest, OCI_MANIFEST, 'v1', undefined).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ImageAlreadyExistsError);
      expect(error).toMatchObject({
        message: `Image with digest '${image.digest}' and tag 'v1' already exists in the repository with name 'team/app'`,
      });
    });

    it('accepts the same image under a new tag', async () => {
      const { registry, images, storage } = setup();
      const image = await push(registry, ociImage('amd64'), 'v1');

      await images.put(repo, image.manifest, OCI_MANIFEST, 'v2', image.digest);

      expect(await storage.manifests.tagsOf(repo, image.digest)).toEqual(['v1', 'v2']);
    });

    it('refuses to move an immutable tag to another image (ImageTagAlreadyExists)', async () => {
      const { registry, images, storage } = setup();
      const first = await push(registry, ociImage('amd64'), 'v1');
      await registry.repositoryAdmin.update(repo, (current) => ({ ...current, imageTagMutability: 'IMMUTABLE' }));
      const second = ociImage('arm64');
      for (const blob of second.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));

      const error = await images.put(repo, second.manifest, OCI_MANIFEST, 'v1', undefined).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ImageTagImmutableError);
      expect(error).toMatchObject({
        message: "The image tag 'v1' already exists in the 'team/app' repository and cannot be overwritten because the repository is immutable.",
      });
      expect(await storage.manifests.resolveTag(repo, 'v1')).toBe(first.digest);
    });

    it('lets exactly one of concurrent pushes create an immutable tag; the others get ImageTagAlreadyExists', async () => {
      const { registry, images, storage } = setup();
      await push(registry, ociImage('amd64'));
      await registry.repositoryAdmin.update(repo, (current) => ({ ...current, imageTagMutability: 'IMMUTABLE' }));
      const racers = ['amd64', 'arm64', 'ppc64le', 's390x'].map((arch) => ociImage(arch));
      for (const image of racers) for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));

      const results = await Promise.allSettled(racers.map((image) => images.put(repo, image.manifest, OCI_MANIFEST, 'v1', undefined)));

      const won = results.filter((result) => result.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ImageTagImmutableError);
      expect(await storage.manifests.listTags(repo, { limit: 10 })).toEqual(['v1']);
    });

    it('refuses a tag that is a digest instead of pushing untagged (TagInvalidError)', async () => {
      const { registry, images, storage } = setup();
      const image = ociImage('amd64');
      for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));

      const error = await images.put(repo, image.manifest, OCI_MANIFEST, image.digest, undefined).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: 'TagInvalidError', code: 'TAG_INVALID' });
      expect(await storage.manifests.get(repo, image.digest)).toBeUndefined();
    });

    it('refuses a repository that does not exist when create-on-push is off', async () => {
      const { images } = setup({ createRepositoryOnPush: false });

      await expect(images.put(repo, ociImage('amd64').manifest, OCI_MANIFEST, 'v1', undefined)).rejects.toBeInstanceOf(NameUnknownError);
    });
  });
});
