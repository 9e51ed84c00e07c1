import type { LifecycleTargets, OutboxStore, RegistryStorage, ReplicationStatusStore, ScanStore, VulnerabilityStore } from '@cargohold/storage-ports';
import { MemoryBlobReclaimStore } from './memory-blob-reclaim-store';
import { MemoryBlobStore } from './memory-blob-store';
import { MemoryBlobUploads } from './memory-blob-uploads';
import { MemoryBlobLinkStore, MemoryManifestStore, MemoryRegistrySettingsStore, MemoryRepositoryStore, MemoryUploadSessionStore } from './memory-metadata';
import { MemoryOutboxStore } from './memory-outbox';
import { MemoryLifecycleTargets } from './memory-lifecycle-targets';
import { MemoryReplicationStatusStore } from './memory-replication-status-store';
import { MemoryScanStore } from './memory-scan-store';
import { MemoryMetadataState } from './memory-state';
import { MemoryVulnerabilityStore } from './memory-vulnerability-store';

export { MemoryBlobStore } from './memory-blob-store';
export { MemoryBlobReclaimStore } from './memory-blob-reclaim-store';
export { MemoryBlobUploads } from './memory-blob-uploads';
export { MemoryBlobLinkStore, MemoryManifestStore, MemoryRegistrySettingsStore, MemoryRepositoryStore, MemoryUploadSessionStore } from './memory-metadata';
export { MemoryOutboxStore } from './memory-outbox';
export { MemoryScanStore } from './memory-scan-store';
export { MemoryVulnerabilityStore } from './memory-vulnerability-store';
export { MemoryRepositoryCreationTemplateStore } from './memory-repository-creation-template-store';
export { MemoryReplicationStatusStore } from './memory-replication-status-store';

/** The storage bundle plus the outbox its ManifestStore records events into, and the scanning stores. */
export type MemoryStorage = RegistryStorage & {
  /** The concrete store, so specs can plant bytes (`keep`) and inspect what was quarantined. */
  readonly blobs: MemoryBlobStore;
  readonly reclaim: MemoryBlobReclaimStore;
  readonly outbox: OutboxStore;
  readonly scans: ScanStore;
  readonly vulnerabilities: VulnerabilityStore;
  readonly lifecycleTargets: LifecycleTargets;
  readonly replications: ReplicationStatusStore;
};

/**
 * Every storage port in memory, for fast core unit tests. Same verification, errors and ordering as the
 * durable adapters (it runs the same contract suites); nothing survives the process.
 */
export function createMemoryStorage(options: { now?: () => Date } = {}): MemoryStorage {
  const blobs = new MemoryBlobStore(options.now);
  const state = new MemoryMetadataState();
  return {
    blobs,
    uploads: new MemoryBlobUploads(blobs),
    repositories: new MemoryRepositoryStore(state),
    manifests: new MemoryManifestStore(state),
    links: new MemoryBlobLinkStore(state),
    sessions: new MemoryUploadSessionStore(state),
    registries: new MemoryRegistrySettingsStore(state),
    reclaim: new MemoryBlobReclaimStore(state),
    outbox: new MemoryOutboxStore(state.outbox),
    scans: new MemoryScanStore(state.outbox),
    vulnerabilities: new MemoryVulnerabilityStore(),
    lifecycleTargets: new MemoryLifecycleTargets(state),
    replications: new MemoryReplicationStatusStore(state.outbox),
    close: async () => undefined,
  };
}
