import { EventDispatcher, ScanWorker, systemClock, type Registry } from '@cargohold/registry-core';
import { createImageScanner } from '@cargohold/scanning-service';
import type { Logger } from 'pino';
import type { LocalStorage } from './deps.local';

export interface Workers {
  stop(): Promise<void>;
}

/**
 * The in-process workers of the embedded deployment: the outbox dispatcher feeding the scanner. The
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
  const released = await storage.outbox.releaseAll(clock.now());
  if (released > 0) logger.info({ released }, 'resuming event delivery after a restart');
  const dispatcher = new EventDispatcher(storage.outbox, [scanner], clock, { pollMs: 200 }, logger);
  dispatcher.start();
  return { stop: () => dispatcher.stop() };
}
