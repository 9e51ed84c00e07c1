import { AwsClients, AwsStorageEnvSchema, clientOptionsOf, LogLevelSchema, openAwsStorage, storageLocationOf } from '@cargohold/platform-aws';
import { createRegistry, ScanWorker, systemClock } from '@cargohold/registry-core';
import { createImageScanner } from '@cargohold/scanning-service';
import type * as z from 'zod';

/** The function's configuration (serverless.yml sets it): storage only, no bus, token key or identities. */
export const ScannerEnvSchema = AwsStorageEnvSchema.extend({ LOG_LEVEL: LogLevelSchema });
export type ScannerEnv = z.infer<typeof ScannerEnvSchema>;

/**
 * The core's ScanWorker over the AWS storage, built once per container. A scan result is written with
 * its `image.scanned` event on the scan item; the table stream carries it to the bus (ECR's `ECR Image
 * Scan` shape) through the stream forwarder, so the scanner never publishes itself.
 */
export function awsScanWorker(env: ScannerEnv): ScanWorker {
  const clients = new AwsClients(clientOptionsOf(process.env, env));
  const storage = openAwsStorage(clients, storageLocationOf(env));
  const registry = createRegistry({ storage, scans: storage.scans });
  return new ScanWorker({
    repositories: storage.repositories,
    manifests: storage.manifests,
    blobs: storage.blobs,
    scans: storage.scans,
    scanning: registry.scanning,
    scanner: createImageScanner(storage.vulnerabilities),
    clock: systemClock,
  });
}
