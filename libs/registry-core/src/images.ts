import { digestOf, isDigest, isTag, validateTag, type Digest } from '@cargohold/oci';
import { ManifestReferencedError, type ManifestRecord, type ManifestStore, type ManifestSummary, type RepoRef } from '@cargohold/storage-ports';
import { ImageAlreadyExistsError, ImageDigestMismatchError } from './ecr-errors';
import { ManifestUnknownError } from './errors';
import { ImageArchivedError } from './lifecycle-errors';
import type { ManifestService } from './manifests';
import type { RepositoryResolver } from './repositories';

export interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

export type ImageFailureCode =
  | 'InvalidImageDigest'
  | 'InvalidImageTag'
  | 'ImageTagDoesNotMatchDigest'
  | 'ImageNotFound'
  | 'MissingDigestAndTag'
  | 'ImageReferencedByManifestList'
  | 'ImageInaccessible';

export interface ImageFailure {
  readonly imageId: ImageId;
  readonly failureCode: ImageFailureCode;
  readonly failureReason: string;
}

export interface ImageDetail {
  readonly record: ManifestSummary;
  readonly tags: string[];
}

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

type Resolved = { ok: true; record: ManifestRecord; tag?: string } | { ok: false; failure: ImageFailure };

const fail = (imageId: ImageId, failureCode: ImageFailureCode, failureReason: string): Resolved => ({
  ok: false,
  failure: { imageId, failureCode, failureReason },
});

/** Images as the ECR control plane sees them: manifests with their tags, addressed by ImageId. */
export class ImageService {
  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly manifests: ManifestStore,
    private readonly manifestService: ManifestService,
  ) {}

  /** Resolves an ImageId the way ECR does, as a per-image failure rather than an exception. */
  async resolve(repo: RepoRef, imageId: ImageId): Promise<Resolved> {
    const { imageDigest, imageTag } = imageId;
    if (imageDigest === undefined && imageTag === undefined)
      return fail(imageId, 'MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null');
    if (imageDigest !== undefined && !isDigest(imageDigest))
      return fail(imageId, 'InvalidImageDigest', 'Invalid request parameters: image digest should satisfy the regex');
    if (imageTag !== undefined && !isTag(imageTag)) return fail(imageId, 'InvalidImageTag', 'Invalid request parameters: image tag should satisfy the regex');
    const tagged = imageTag === undefined ? undefined : await this.manifests.resolveTag(repo, imageTag);
    if (imageDigest !== undefined && imageTag !== undefined && tagged !== imageDigest) {
      return tagged === undefined
        ? fail(imageId, 'ImageNotFound', 'Requested image not found')
        : fail(imageId, 'ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest');
    }
    const digest = (imageDigest as Digest | undefined) ?? tagged;
    const record = digest && (await this.manifests.get(repo, digest));
    if (!record) return fail(imageId, 'ImageNotFound', 'Requested image not found');
    return imageTag === undefined ? { ok: true, record } : { ok: true, record, tag: imageTag };
  }

  /**
   * ListImages: one page of image ids, at most `limit` of them (an image with three tags is three ids, and
   * a page may end inside one). The cursor is the digest of the last image shown whole, followed by
   * `#<skip>` when the page ended inside the next image after `skip` of its ids.
   */
  async list(repo: RepoRef, tagStatus: TagStatus, limit: number, after?: string): Promise<{ imageIds: ImageId[]; next?: string }> {
    const { last, skip } = listCursor(after);
    // Every image yields at least one id: limit + 1 images fill the page and tell whether more follow.
    const { details, next } = await this.page(repo, tagStatus, limit + 1, last);
    const imageIds: ImageId[] = [];
    let previous = last;
    for (const [index, { record, tags }] of details.entries()) {
      const skipped = index === 0 ? skip : 0;
      const ids = (tags.length === 0 ? [{ imageDigest: record.digest }] : tags.map((imageTag) => ({ imageDigest: record.digest, imageTag }))).slice(skipped);
      const room = limit - imageIds.length;
      if (ids.length > room) {
        imageIds.push(...ids.slice(0, room));
        return { imageIds, next: skipped + room === 0 ? (previous as string) : `${previous ?? ''}#${skipped + room}` };
      }
      imageIds.push(...ids);
      previous = record.digest;
    }
    return next === undefined || previous === undefined ? { imageIds } : { imageIds, next: previous };
  }

  /** DescribeImages: named images (ImageNotFoundException if any is missing) or one page of all. */
  async describe(
    repo: RepoRef,
    imageIds: readonly ImageId[] | undefined,
    tagStatus: TagStatus,
    limit: number,
    after?: string,
  ): Promise<{ details: ImageDetail[]; next?: string }> {
    if (!imageIds) return this.page(repo, tagStatus, limit, after);
    await this.repositories.require(repo);
    const details: ImageDetail[] = [];
    for (const imageId of imageIds) {
      const resolved = await this.resolve(repo, imageId);
      if (!resolved.ok) throw new ManifestUnknownError(JSON.stringify(imageId), resolved.failure.failureReason);
      if (!details.some((d) => d.record.digest === resolved.record.digest)) {
        details.push({ record: resolved.record, tags: await this.manifests.tagsOf(repo, resolved.record.digest) });
      }
    }
    return { details };
  }

  async batchGet(
    repo: RepoRef,
    imageIds: readonly ImageId[],
    acceptedMediaTypes: readonly string[] | undefined,
    pulledBy?: string,
  ): Promise<{ images: { imageId: ImageId; manifest: Buffer; mediaType: string }[]; failures: ImageFailure[] }> {
    await this.repositories.require(repo);
    const images: { imageId: ImageId; manifest: Buffer; mediaType: string }[] = [];
    const failures: ImageFailure[] = [];
    const accept = acceptedMediaTypes && acceptedMediaTypes.length > 0 ? acceptedMediaTypes.join(', ') : undefined;
    for (const imageId of imageIds) {
      const resolved = await this.resolve(repo, imageId);
      if (!resolved.ok) {
        failures.push(resolved.failure);
        continue;
      }
      try {
        const manifest = await this.manifestService.get(repo, resolved.record.digest, accept, pulledBy);
        const id = resolved.tag === undefined ? { imageDigest: manifest.digest } : { imageDigest: manifest.digest, imageTag: resolved.tag };
        images.push({ imageId: id, manifest: manifest.bytes, mediaType: manifest.mediaType });
      } catch (error) {
        // An archived image is a per-image failure, as ECR reports images it cannot serve (ImageInaccessible).
        if (error instanceof ImageArchivedError) failures.push({ imageId, failureCode: 'ImageInaccessible', failureReason: error.message });
        else if (error instanceof ManifestUnknownError) failures.push({ imageId, failureCode: 'ImageNotFound', failureReason: error.message });
        else throw error;
      }
    }
    return { images, failures };
  }

  /**
   * BatchDeleteImage: by digest removes the image and its tags; by tag removes the tag, and the image
   * with it when that was its last tag — unless an index still needs the image.
   */
  async batchDelete(repo: RepoRef, imageIds: readonly ImageId[]): Promise<{ deleted: ImageId[]; failures: ImageFailure[] }> {
    await this.repositories.require(repo);
    const deleted: ImageId[] = [];
    const failures: ImageFailure[] = [];
    for (const imageId of imageIds) {
      const resolved = await this.resolve(repo, imageId);
      if (!resolved.ok) {
        failures.push(resolved.failure);
        continue;
      }
      const { record } = resolved;
      const tags = await this.manifests.tagsOf(repo, record.digest);
      const byTagOnly = imageId.imageDigest === undefined && resolved.tag !== undefined;
      if (byTagOnly && tags.length > 1) {
        await this.manifestService.deleteTag(repo, resolved.tag as string);
        deleted.push({ imageDigest: record.digest, imageTag: resolved.tag as string });
        continue;
      }
      try {
        await this.manifestService.deleteDigest(repo, record.digest);
        deleted.push(...(tags.length === 0 ? [{ imageDigest: record.digest }] : tags.map((imageTag) => ({ imageDigest: record.digest, imageTag }))));
      } catch (error) {
        if (!(error instanceof ManifestReferencedError)) throw error;
        failures.push({ imageId, failureCode: 'ImageReferencedByManifestList', failureReason: error.message });
      }
    }
    return { deleted, failures };
  }

  /** PutImage: the same push path as `/v2/`, plus ECR's refusal to re-put an identical tagged image. */
  async put(repo: RepoRef, manifest: Buffer, mediaType: string | undefined, tag: string | undefined, digest: string | undefined) {
    // The tag becomes the push reference below, where a digest-shaped "tag" would push untagged.
    if (tag !== undefined) validateTag(tag);
    const computed = digestOf(manifest, digest?.startsWith('sha512:') ? 'sha512' : 'sha256');
    if (digest !== undefined && digest !== computed) throw new ImageDigestMismatchError(digest, computed);
    if (tag !== undefined && (await this.repositories.exists(repo))) {
      if ((await this.manifests.resolveTag(repo, tag)) === computed) throw new ImageAlreadyExistsError(computed, tag, repo.name);
    }
    return this.manifestService.put(repo, tag ?? computed, manifest, mediaType ?? mediaTypeOf(manifest));
  }

  /**
   * Up to `limit` images after `after` with their tags, filtered by tag status. Each read asks the store for
   * one more image than the page still needs (that one tells whether another page follows), with its tags
   * in the same page read, so a page costs a bounded number of store reads whatever its size.
   */
  private async page(repo: RepoRef, tagStatus: TagStatus, limit: number, after?: string): Promise<{ details: ImageDetail[]; next?: string }> {
    await this.repositories.require(repo);
    const details: ImageDetail[] = [];
    let cursor = after;
    for (;;) {
      const want = Math.max(limit + 1 - details.length, MIN_READ);
      const entries = await this.manifests.listWithTags(repo, cursor === undefined ? { limit: want } : { last: cursor, limit: want });
      for (const { record, tags } of entries) {
        if ((tagStatus === 'TAGGED' && tags.length === 0) || (tagStatus === 'UNTAGGED' && tags.length > 0)) continue;
        if (details.length === limit) return { details, next: details[details.length - 1]?.record.digest as string };
        details.push({ record, tags });
      }
      if (entries.length < want) return { details };
      cursor = entries[entries.length - 1]?.record.digest;
    }
  }
}

/** The fewest images one store read asks for: a filter by tag status may skip most of them. */
const MIN_READ = 100;

/** A cursor `list` issued: `<digest>`, `<digest>#<skip>` or `#<skip>` (digests never hold a `#`). */
function listCursor(after: string | undefined): { last?: string; skip: number } {
  const [last = '', skip = '0'] = (after ?? '').split('#');
  return last === '' ? { skip: Number(skip) || 0 } : { last, skip: Number(skip) || 0 };
}

/** The `mediaType` a manifest declares, so PutImage without imageManifestMediaType can be validated. */
function mediaTypeOf(manifest: Buffer): string | undefined {
  try {
    const value = JSON.parse(manifest.toString('utf8')) as { mediaType?: unknown };
    return typeof value.mediaType === 'string' ? value.mediaType : undefined;
  } catch {
    return undefined;
  }
}
