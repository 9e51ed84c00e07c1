import type { Digest } from '@cargohold/oci';
import type { RegistrySettingsStore, ReplicationConfiguration, ReplicationStatusRecord, ReplicationStatusStore, RepoRef } from '@cargohold/storage-ports';
import { ManifestUnknownError } from '../errors';
import type { ImageId, ImageService } from '../images';
import type { RepositoryResolver } from '../repositories';
import type { ReplicationBackfills } from './replication-backfills';
import { validateReplicationConfiguration } from './replication-rules';

export interface ImageReplicationStatus {
  readonly digest: Digest;
  readonly tag?: string;
  readonly statuses: readonly ReplicationStatusRecord[];
}

/** The replication control plane: a registry's configuration and each image's status per destination. */
export class ReplicationService {
  constructor(
    private readonly registries: RegistrySettingsStore,
    private readonly statuses: ReplicationStatusStore,
    private readonly repositories: RepositoryResolver,
    private readonly images: ImageService,
    /** StartReplicationBackfill and friends over the same settings document. */
    readonly backfills: ReplicationBackfills,
  ) {}

  async configuration(registry: string): Promise<ReplicationConfiguration> {
    return (await this.registries.get(registry)).replicationConfiguration ?? { rules: [] };
  }

  /** Replaces the whole configuration (ECR's PutReplicationConfiguration); an empty rule list turns replication off. */
  async putConfiguration(registry: string, configuration: ReplicationConfiguration): Promise<ReplicationConfiguration> {
    validateReplicationConfiguration(registry, configuration);
    await this.registries.update(registry, (current) => ({ ...current, replicationConfiguration: configuration }));
    return configuration;
  }

  /** DescribeImageReplicationStatus: ImageNotFoundException for an image the repository does not hold. */
  async imageStatus(repo: RepoRef, imageId: ImageId): Promise<ImageReplicationStatus> {
    await this.repositories.require(repo);
    const resolved = await this.images.resolve(repo, imageId);
    if (!resolved.ok) throw new ManifestUnknownError(JSON.stringify(imageId), resolved.failure.failureReason);
    const { digest } = resolved.record;
    return { digest, ...(imageId.imageTag !== undefined ? { tag: imageId.imageTag } : {}), statuses: await this.statuses.list(repo, digest) };
  }
}

/** Replication switched off (a deployment without a status store): nothing recorded, nothing listed. */
export const NO_REPLICATION_STATUSES: ReplicationStatusStore = {
  set: async () => undefined,
  list: async () => [],
};
