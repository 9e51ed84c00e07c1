import type { RegistryStorage, RepoRef, ReplicationStatusStore, RepositoryCreationTemplateStore, ScanStore } from '@cargohold/storage-ports';
import { BlobService } from './blobs';
import { DEFAULT_LIMITS, systemClock, type Clock, type RegistryLimits, type RegistrySettings } from './config';
import { BlobPins } from './gc/blob-pins';
import { ImageService } from './images';
import { ListingService } from './listing';
import { RegistryAdmin } from './registry-admin';
import { RepositoryAdmin } from './repository-admin';
import { ManifestService } from './manifests';
import { PullTimeExclusions } from './pull-time-exclusions';
import { NO_TEMPLATE_STORE, RepositoryTemplates } from './repository-templates';
import { RepositoryResolver } from './repositories';
import { NO_BACKFILL_RUNNER, ReplicationBackfills, type BackfillRunner } from './replication/replication-backfills';
import { NO_REPLICATION_STATUSES, ReplicationService } from './replication/replication-service';
import { ScanService } from './scans';
import { UploadService } from './uploads';
import { VerifiedBlobStore } from './verified-blob-store';
import { ImageArchive } from './image-archive';
import { LifecyclePolicies } from './lifecycle-policies';
import { LifecycleSweeper } from './lifecycle-sweeper';

export interface RegistryDeps {
  readonly storage: RegistryStorage;
  /** Scan state and the events written with it; without one, scans are never recorded (the no-op twin). */
  readonly scans?: ScanStore;
  /** Repository creation templates; without a store none applies and none can be created. */
  readonly templates?: RepositoryCreationTemplateStore;
  /** Replication status per image and destination; without one, none is listed (the no-op twin). */
  readonly replicationStatuses?: ReplicationStatusStore;
  /** Runs replication backfills off the request (the embedded workers); without one none can start. */
  readonly backfillRunner?: BackfillRunner;
  readonly limits?: Partial<RegistryLimits>;
  readonly settings?: Partial<RegistrySettings>;
  readonly clock?: Clock;
  /**
   * Told of the first failure of a best-effort write after a success (today: recording a pull time), so
   * the composition root can log an outage once; each failure is also counted on the service.
   */
  readonly onBestEffortFailure?: (what: 'record-pull', error: unknown) => void;
  /** Told after PutLifecyclePolicy stored a policy, so the composition root can sweep that repository soon. */
  readonly onLifecyclePolicyPut?: (repo: RepoRef) => void | Promise<void>;
  /**
   * Every request of an upload reaches this one process (the embedded server, the only owner of its data
   * dir): a streamed PATCH keeps its hash in memory for the PUT instead of saving a hash state. Off by
   * default, as a Lambda or a gateway task behind a load balancer may take the PUT.
   */
  readonly uploadsInOneProcess?: boolean;
}

/** The registry's use cases, wired over one storage bundle. Transport-neutral: no HTTP in here. */
export interface Registry {
  readonly blobs: BlobService;
  readonly uploads: UploadService;
  readonly manifests: ManifestService;
  readonly listing: ListingService;
  readonly images: ImageService;
  readonly repositoryAdmin: RepositoryAdmin;
  readonly registryAdmin: RegistryAdmin;
  readonly scanning: ScanService;
  readonly pullTimeExclusions: PullTimeExclusions;
  readonly templates: RepositoryTemplates;
  readonly lifecycle: LifecyclePolicies;
  readonly lifecycleSweeper: LifecycleSweeper;
  readonly archive: ImageArchive;
  readonly replication: ReplicationService;
  readonly limits: RegistryLimits;
}

/** Scanning switched off: nothing recorded, nothing found. */
const NO_SCANS: ScanStore = {
  get: async () => undefined,
  summaries: async () => new Map(),
  start: async () => false,
  finish: async () => undefined,
};

export function createRegistry(deps: RegistryDeps): Registry {
  const limits: RegistryLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const settings: RegistrySettings = { createRepositoryOnPush: true, ...deps.settings };
  const clock = deps.clock ?? systemClock;
  // Every read of blob bytes by the use cases below is verified, whatever the adapter.
  const blobs = new VerifiedBlobStore(deps.storage.blobs);
  const storage: RegistryStorage = { ...deps.storage, blobs };
  const templates = new RepositoryTemplates(deps.templates ?? NO_TEMPLATE_STORE, clock);
  const repositories = new RepositoryResolver(storage.repositories, settings, clock, (ref) => templates.settingsFor(ref.registry, ref.name, 'CREATE_ON_PUSH'));
  const registryAdmin = new RegistryAdmin(storage.registries);
  const onPullRecordFailure = (error: unknown) => deps.onBestEffortFailure?.('record-pull', error);
  const pullTimeExclusions = new PullTimeExclusions(storage.registries, clock);
  const pins = new BlobPins(storage.reclaim, blobs, clock);
  const manifests = new ManifestService(repositories, storage, limits, clock, undefined, onPullRecordFailure, pullTimeExclusions, pins);
  const images = new ImageService(repositories, storage.manifests, manifests);
  const repositoryAdmin = new RepositoryAdmin(storage.repositories, storage.manifests, clock);
  return {
    limits,
    blobs: new BlobService(repositories, storage.links, blobs),
    uploads: new UploadService(repositories, storage, limits, clock, registryAdmin, pins, deps.uploadsInOneProcess),
    manifests,
    listing: new ListingService(repositories, storage.repositories, storage.manifests, limits),
    images,
    repositoryAdmin,
    registryAdmin,
    scanning: new ScanService(repositories, storage.registries, deps.scans ?? NO_SCANS, clock),
    pullTimeExclusions,
    templates,
    lifecycle: new LifecyclePolicies(repositoryAdmin, storage.manifests, clock, deps.onLifecyclePolicyPut),
    lifecycleSweeper: new LifecycleSweeper(storage.repositories, storage.manifests, manifests, clock),
    archive: new ImageArchive(repositories, images, storage.manifests, clock),
    replication: new ReplicationService(
      storage.registries,
      deps.replicationStatuses ?? NO_REPLICATION_STATUSES,
      repositories,
      images,
      new ReplicationBackfills(storage.registries, clock, deps.backfillRunner ?? NO_BACKFILL_RUNNER),
    ),
  };
}
