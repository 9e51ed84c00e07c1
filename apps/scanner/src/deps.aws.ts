import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { EventBridgePublisher } from '@cargohold/events-aws';
import { createRegistry, ScanWorker, systemClock, type EventSink } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { z } from 'zod';
import { createImageScanner } from '@cargohold/scanning-service';

/** The function's configuration (serverless.yml sets it): storage and the bus, no token key or identities. */
export const ScannerEnvSchema = z.object({
  BUCKET: z.string().min(3),
  BUCKET_PREFIX: z.string().optional(),
  TABLE: z.string().min(3),
  /** The EventBridge bus that receives `ECR Image Scan` events. */
  EVENT_BUS_NAME: z.string().min(1),
  /** Source of the ECR-shaped events on the bus (EventBridge refuses `aws.*` from customers). */
  EVENT_SOURCE: z.string().min(1).optional(),
  /** Path-style S3 URLs, for S3 emulators (LocalStack, s3rver). */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type ScannerEnv = z.infer<typeof ScannerEnvSchema>;

/**
 * The core's ScanWorker over S3 blobs and the DynamoDB stores, built once per container. Scan results
 * leave as `image.scanned` events on the bus, in ECR's `ECR Image Scan` shape. Endpoints come from the
 * SDK's own variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_EVENTBRIDGE).
 */
export function awsScanWorker(env: ScannerEnv): ScanWorker {
  const { blobs, uploads } = createS3BlobStorage({
    client: new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' }),
    bucket: env.BUCKET,
    ...(env.BUCKET_PREFIX ? { prefix: env.BUCKET_PREFIX } : {}),
  });
  const metadata = createDynamoMetadata({ client: new DynamoDBClient({}), table: env.TABLE });
  const bus = new EventBridgePublisher({ client: new EventBridgeClient({}), eventBusName: env.EVENT_BUS_NAME, ...(env.EVENT_SOURCE ? { source: env.EVENT_SOURCE } : {}) });
  const sink: EventSink = { append: (events) => bus.publish(events) };
  const registry = createRegistry({ storage: { blobs, uploads, ...metadata, close: async () => undefined }, scans: metadata.scans, sink });
  return new ScanWorker({
    repositories: metadata.repositories,
    manifests: metadata.manifests,
    blobs,
    scans: metadata.scans,
    scanning: registry.scanning,
    scanner: createImageScanner(metadata.vulnerabilities),
    sink,
    clock: systemClock,
  });
}
