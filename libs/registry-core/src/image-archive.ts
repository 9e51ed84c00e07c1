import type { ManifestRecord, ManifestStore, RepoRef, StorageClass } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { ManifestUnknownError } from './errors';
import type { ImageId, ImageService } from './images';
import type { RepositoryResolver } from './repositories';

/** ECR's imageStatus: ACTIVATING is never reported, because a restore here is immediate. */
export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

export const imageStatusOf = (record: Pick<ManifestRecord, 'storageClass'>): ImageStatus => (record.storageClass === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVE');

/**
 * UpdateImageStorageClass: ARCHIVE makes an image unpullable (its bytes stay, as the blob store has one
 * class); STANDARD restores it. ECR restores through ACTIVATING over minutes to hours; cargohold keeps
 * archived bytes in place, so a restore completes within the call and answers ACTIVE.
 */
export class ImageArchive {
  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly images: ImageService,
    private readonly manifests: ManifestStore,
    private readonly clock: Clock,
  ) {}

  async update(repo: RepoRef, imageId: ImageId, target: StorageClass): Promise<{ imageId: ImageId; imageStatus: ImageStatus }> {
    await this.repositories.require(repo);
    const resolved = await this.images.resolve(repo, imageId);
    if (!resolved.ok) throw new ManifestUnknownError(JSON.stringify(imageId), resolved.failure.failureReason);
    const updated = await this.manifests.setStorageClass(repo, resolved.record.digest, target, this.clock.now());
    if (!updated) throw new ManifestUnknownError(resolved.record.digest, 'Requested image not found');
    const id = resolved.tag === undefined ? { imageDigest: updated.digest } : { imageDigest: updated.digest, imageTag: resolved.tag };
    return { imageId: id, imageStatus: imageStatusOf(updated) };
  }
}
