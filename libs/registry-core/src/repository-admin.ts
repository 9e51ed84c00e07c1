import { parseRegistryKey, validateRepositoryName } from '@cargohold/oci';
import {
  DEFAULT_REPOSITORY_SETTINGS,
  type ManifestStore,
  type RepoRef,
  type Repository,
  type RepositorySettings,
  type RepositoryStore,
} from '@cargohold/storage-ports';
import type { Clock } from './config';
import { RepositoryAlreadyExistsError, RepositoryNotEmptyError, RepositoryPolicyNotFoundError } from './ecr-errors';
import { NameUnknownError } from './errors';

export type PolicyValidator = (text: string) => void;

/** Repository lifecycle and settings, as ECR's control plane manages them. */
export class RepositoryAdmin {
  constructor(
    private readonly repositories: RepositoryStore,
    private readonly manifests: ManifestStore,
    private readonly clock: Clock,
  ) {}

  async create(ref: RepoRef, settings: Partial<RepositorySettings> = {}): Promise<Repository> {
    validateRepositoryName(ref.name);
    const merged = { ...DEFAULT_REPOSITORY_SETTINGS, ...settings };
    const encryption = effectiveEncryption(ref.registry, merged.encryption);
    const { created, repository } = await this.repositories.create(ref, this.clock.now(), { ...merged, encryption });
    if (!created) throw new RepositoryAlreadyExistsError(ref.name, accountOf(ref.registry));
    return repository;
  }

  async get(ref: RepoRef): Promise<Repository> {
    validateRepositoryName(ref.name);
    const repository = await this.repositories.get(ref);
    if (!repository) throw new NameUnknownError(ref.name);
    return repository;
  }

  /** One page of a registry's repositories in name order. */
  async list(registry: string, limit: number, after?: string): Promise<{ repositories: Repository[]; next?: string }> {
    const records = await this.repositories.listRecords(registry, after === undefined ? { limit: limit + 1 } : { last: after, limit: limit + 1 });
    const repositories = records.slice(0, limit);
    return records.length > limit ? { repositories, next: repositories[repositories.length - 1]?.name as string } : { repositories };
  }

  /** Without `force`, only an empty repository may be deleted (RepositoryNotEmptyException). */
  async delete(ref: RepoRef, force: boolean): Promise<Repository> {
    const repository = await this.get(ref);
    if (!force && (await this.manifests.list(ref, { limit: 1 })).length > 0) {
      throw new RepositoryNotEmptyError(ref.name, accountOf(ref.registry));
    }
    await this.repositories.delete(ref);
    return repository;
  }

  async update(ref: RepoRef, mutate: (current: RepositorySettings) => RepositorySettings): Promise<Repository> {
    validateRepositoryName(ref.name);
    const updated = await this.repositories.update(ref, mutate);
    if (!updated) throw new NameUnknownError(ref.name);
    return updated;
  }

  async setPolicy(ref: RepoRef, policyText: string, validate: PolicyValidator): Promise<Repository> {
    validate(policyText);
    return this.update(ref, (current) => ({ ...current, policyText }));
  }

  async getPolicy(ref: RepoRef): Promise<string> {
    const { settings } = await this.get(ref);
    if (settings.policyText === undefined) throw new RepositoryPolicyNotFoundError(ref.name, accountOf(ref.registry));
    return settings.policyText;
  }

  async deletePolicy(ref: RepoRef): Promise<string> {
    const policyText = await this.getPolicy(ref);
    await this.update(ref, ({ policyText: _removed, ...rest }) => rest);
    return policyText;
  }
}

/**
 * The encryption a repository reports: KMS (or KMS_DSSE) without a key means the AWS-managed key for ECR,
 * and ECR names it (EncryptionConfiguration.kmsKey: "If no key is specified, the default Amazon Web
 * Services managed KMS key for Amazon ECR will be used",
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html).
 */
export function effectiveEncryption(registry: string, encryption: RepositorySettings['encryption']): RepositorySettings['encryption'] {
  if (encryption.encryptionType === 'AES256' || encryption.kmsKey) return encryption;
  const { account, region } = parseRegistryKey(registry);
  return { ...encryption, kmsKey: `arn:aws:kms:${region}:${account}:alias/aws/ecr` };
}

/** ECR's messages and outputs name a registry by its account (the registry id). */
export function accountOf(registry: string): string {
  return parseRegistryKey(registry).account;
}
