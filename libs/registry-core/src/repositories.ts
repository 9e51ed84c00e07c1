import { validateRepositoryName } from '@cargohold/oci';
import type { RepoRef, RepositoryStore } from '@cargohold/storage-ports';
import type { Clock, RegistrySettings } from './config';
import { NameUnknownError } from './errors';

/** Resolves repositories for the use cases: read paths require one, push paths may create it. */
export class RepositoryResolver {
  constructor(
    private readonly store: RepositoryStore,
    private readonly settings: RegistrySettings,
    private readonly clock: Clock,
  ) {}

  /** Validates the name and answers whether the repository exists. */
  async exists(ref: RepoRef): Promise<boolean> {
    validateRepositoryName(ref.name);
    return (await this.store.get(ref)) !== undefined;
  }

  async require(ref: RepoRef): Promise<void> {
    if (!(await this.exists(ref))) throw new NameUnknownError(ref.name);
  }

  /** For pushes: the repository must exist, or be created when create-on-push is on. */
  async forPush(ref: RepoRef): Promise<void> {
    if (await this.exists(ref)) return;
    if (!this.settings.createRepositoryOnPush) throw new NameUnknownError(ref.name);
    await this.store.create(ref, this.clock.now());
  }
}
