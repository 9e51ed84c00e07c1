import type { RegistryStorage } from '@cargohold/storage-ports';
import { BlobService } from './blobs';
import { DEFAULT_LIMITS, systemClock, type Clock, type RegistryLimits, type RegistrySettings } from './config';
import { ListingService } from './listing';
import { ManifestService } from './manifests';
import { RepositoryResolver } from './repositories';
import { UploadService } from './uploads';

export interface RegistryDeps {
  readonly storage: RegistryStorage;
  readonly limits?: Partial<RegistryLimits>;
  readonly settings?: Partial<RegistrySettings>;
  readonly clock?: Clock;
}

/** The registry's use cases, wired over one storage bundle. Transport-neutral: no HTTP in here. */
export interface Registry {
  readonly blobs: BlobService;
  readonly uploads: UploadService;
  readonly manifests: ManifestService;
  readonly listing: ListingService;
  readonly limits: RegistryLimits;
}

export function createRegistry(deps: RegistryDeps): Registry {
  const limits: RegistryLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const settings: RegistrySettings = { createRepositoryOnPush: true, ...deps.settings };
  const clock = deps.clock ?? systemClock;
  const { storage } = deps;
  const repositories = new RepositoryResolver(storage.repositories, settings, clock);
  return {
    limits,
    blobs: new BlobService(repositories, storage.links, storage.blobs),
    uploads: new UploadService(repositories, storage, limits, clock),
    manifests: new ManifestService(repositories, storage, limits, clock),
    listing: new ListingService(repositories, storage.repositories, storage.manifests, limits),
  };
}
