import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createRegistry, ScanWorker, systemClock } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { z } from 'zod';
import { createImageScanner } from '@cargohold/scanning-service';

/** The function's configuration (serverless.yml sets it): storage only, no bus, token key or identities. */
export const ScannerEnvSchema = z.object({
  BUCKET: z.string().min(3),
  BUCKET_PREFIX: z.string().optional(),
  TABLE: z.string().min(3),
  /** Path-style S3 URLs, for S3 emulators (LocalStack, s3rver). */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type ScannerEnv = z.infer<typeof ScannerEnvSchema>;

/**
 * The core's ScanWorker over S3 blobs and the DynamoDB stores, built once per container. A scan result
 * is written with its `image.scanned` event on the scan item; the table stream carries it to the bus
 * (ECR's `ECR Image Scan` shape) through the stream forwarder, so the scanner never publishes itself.
 * Endpoints come from the SDK's own variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB).
 */
export function awsScanWorker(env: ScannerEnv): ScanWorker {
  const { blobs, uploads } = createS3BlobStorage({
    client: new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' }),
    bucket: env.BUCKET,
    ...(env.BUCKET_PREFIX ? { prefix: env.BUCKET_PREFIX } : {}),
  });
  const metadata = createDynamoMetadata({ client: new DynamoDBClient({}), table: env.TABLE });
  const registry = createRegistry({ storage: { blobs, uploads, ...metadata, close: async () => undefined }, scans: metadata.scans });
  return new ScanWorker({
    repositories: metadata.repositories,
    manifests: metadata.manifests,
    blobs,
    scans: metadata.scans,
    scanning: registry.scanning,
    scanner: createImageScanner(metadata.vulnerabilities),
    clock: systemClock,
  });
}
