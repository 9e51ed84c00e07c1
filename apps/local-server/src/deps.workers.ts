import {
  EventDispatcher,
  Replicator,
  runBackfill,
  ScanWorker,
  systemClock,
  VerifiedBlobStore,
  type Registry,
  type ReplicaRegistry,
} from '@cargohold/registry-core';
import { createImageScanner } from '@cargohold/scanning-service';
import type { Logger } from 'pino';
import type { LocalStorage } from './deps.local';

export interface Workers {
  /** Runs a recorded replication backfill in the background (StartReplicationBackfill's runner). */
  backfill(registry: string, id: string): void;
  stop(): Promise<void>;
}

/**
 * The in-process workers of the embedded deployment: the outbox dispatcher feeding the scanner and the
 * replicator. Every (account, region) the process hosts is a registry over the same storage, so
 * replication between them is real and a replica's blobs are the source's (one content-addressed store). The
 * outbox is durable, so events recorded before a crash are delivered after the restart; a restarted
 * process is the only dispatcher of its data dir, so it takes over the leases its predecessor held.
 */
export async function startWorkers(registry: Registry, storage: LocalStorage, logger: Logger): Promise<Workers> {
  const clock = systemClock;
  const scanner = new ScanWorker({
    repositories: storage.repositories,
    manifests: storage.manifests,
    blobs: storage.blobs,
    scans: storage.scans,
    scanning: registry.scanning,
    scanner: createImageScanner(storage.vulnerabilities),
    clock,
  });
  const everyRegistry: ReplicaRegistry = {
    repositories: storage.repositories,
    manifests: storage.manifests,
    links: storage.links,
    blobs: new VerifiedBlobStore(storage.blobs),
    registries: storage.registries,
    templates: registry.templates,
    manifestService: registry.manifests,
  };
  const replicator = new Replicator({ registries: () => everyRegistry, statuses: storage.replications, clock });
  const released = await storage.outbox.releaseAll(clock.now());
  if (released > 0) logger.info({ released }, 'resuming event delivery after a restart');
  const dispatcher = new EventDispatcher(storage.outbox, [scanner, replicator], clock, { pollMs: 200 }, logger);
  dispatcher.start();
  const backfills = new Set<Promise<unknown>>();
  const backfill = (key: string, id: string) => {
    const deps = { ...storage, replicator, backfills: registry.replication.backfills, clock };
    const running = runBackfill(deps, key, id)
      .catch((err: unknown) => logger.error({ err, registry: key, id }, 'replication backfill failed'))
      .finally(() => backfills.delete(running));
    backfills.add(running);
  };
  return {
    backfill,
    stop: async () => {
      await dispatcher.stop();
      await Promise.all(backfills);
    },
  };
}
