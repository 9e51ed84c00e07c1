import { EventBridgePublisher } from '@cargohold/events-aws';
import {
  AwsClients,
  AwsStorageEnvSchema,
  clientOptionsOf,
  eventBridgeClient,
  EventBusEnvSchema,
  LogLevelSchema,
  openAwsStorage,
  storageLocationOf,
} from '@cargohold/platform-aws';
import { createRegistry, ScanWorker, systemClock, type EventSink } from '@cargohold/registry-core';
import type { z } from 'zod';
import { createImageScanner } from './image-scanner';

/** The function's configuration (serverless.yml sets it): storage and the bus, no token key or identities. */
export const ScannerEnvSchema = AwsStorageEnvSchema.extend(EventBusEnvSchema.shape).extend({ LOG_LEVEL: LogLevelSchema });
export type ScannerEnv = z.infer<typeof ScannerEnvSchema>;

/**
 * The core's ScanWorker over the AWS storage, built once per container. Scan results leave as
 * `image.scanned` events on the bus, in ECR's `ECR Image Scan` shape.
 */
export function awsScanWorker(env: ScannerEnv): ScanWorker {
  const clients = new AwsClients(clientOptionsOf(process.env, env));
  const storage = openAwsStorage(clients, storageLocationOf(env));
  const bus = new EventBridgePublisher({ client: eventBridgeClient(clients), eventBusName: env.EVENT_BUS_NAME, ...(env.EVENT_SOURCE ? { source: env.EVENT_SOURCE } : {}) });
  const sink: EventSink = { append: (events) => bus.publish(events) };
  const registry = createRegistry({ storage, scans: storage.scans, sink });
  return new ScanWorker({
    repositories: storage.repositories,
    manifests: storage.manifests,
    blobs: storage.blobs,
    scans: storage.scans,
    scanning: registry.scanning,
    scanner: createImageScanner(storage.vulnerabilities),
    sink,
    clock: systemClock,
  });
}
