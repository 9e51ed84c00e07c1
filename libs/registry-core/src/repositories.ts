import { validateRepositoryName } from '@cargohold/oci';
import type { RepoRef, Repository, RepositoryStore } from '@cargohold/storage-ports';
import type { Clock, RegistrySettings } from './config';
import { NameUnknownError } from './errors';

/** Resolves repositories for the use cases: read paths require one, push paths may create it. */
export class RepositoryResolver {
  constructor(
    private readonly store: RepositoryStore,
    private readonly settings: RegistrySettings,
    private readonly clock: Clock,
  ) {}

  /** Validates the name and returns the repository, if it exists. */
  async find(ref: RepoRef): Promise<Repository | undefined> {
    validateRepositoryName(ref.name);
    return this.store.get(ref);
  }

  async exists(ref: RepoRef): Promise<boolean> {
    return (await this.find(ref)) !== undefined;
  }

  async require(ref: RepoRef): Promise<Repository> {
    const repository = await this.find(ref);
    if (!repository) throw new NameUnknownError(ref.name);
    return repository;
  }

  /** For pushes: the repository must exist, or be created when create-on-push is on. */
  async forPush(ref: RepoRef): Promise<Repository> {
    const repository = await this.find(ref);
    if (repository) return repository;
    if (!this.settings.createRepositoryOnPush) throw new NameUnknownError(ref.name);
    return (await this.store.create(ref, this.clock.now())).repository;
  }
}
