import { validateRepositoryName } from '@cargohold/oci';
import { DEFAULT_REPOSITORY_SETTINGS, type RepoRef, type Repository, type RepositorySettings, type RepositoryStore } from '@cargohold/storage-ports';
import type { Clock, RegistrySettings } from './config';
import { NameUnknownError } from './errors';

/** Resolves repositories for the use cases: read paths require one, push paths may create it. */
export class RepositoryResolver {
  constructor(
    private readonly store: RepositoryStore,
    private readonly settings: RegistrySettings,
    private readonly clock: Clock,
    /** The settings create-on-push gives a new repository (its creation template's), by name. */
    private readonly templateSettings: (ref: RepoRef) => Promise<Partial<RepositorySettings>> = async () => ({}),
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
    const settings = { ...DEFAULT_REPOSITORY_SETTINGS, ...(await this.templateSettings(ref)) };
    return (await this.store.create(ref, this.clock.now(), settings)).repository;
  }
}
