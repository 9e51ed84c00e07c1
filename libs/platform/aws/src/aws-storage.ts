import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import type {
  BlobInventory,
  BlobReclaimStore,
  BlobStore,
  LifecycleTargets,
  RegistryStorage,
  ReplicationStatusStore,
  RepositoryCreationTemplateStore,
  ScanStore,
  VulnerabilityStore,
} from '@cargohold/storage-ports';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { dynamoDbClient, s3Client, type AwsClients } from './aws-clients';

/** Where a deployment keeps its data: one bucket (optionally under a key prefix) and one table. */
export interface AwsStorageLocation {
  readonly bucket: string;
  /** Key prefix inside the bucket; no leading or trailing slash needed. */
  readonly bucketPrefix?: string;
  /** Created from the table design (serverless.yml on AWS, `createTable` in tests). */
  readonly table: string;
}

/** The registry's storage plus the scanner's stores, all in the same table. */
export interface AwsStorage extends RegistryStorage {
  /** S3 blobs, listable for garbage collection (a ListObjectsV2 of blobs/). */
  readonly blobs: BlobStore & BlobInventory;
  /** Pins and claims in the table: the core pins through it, the collector claims through it. */
  readonly reclaim: BlobReclaimStore;
  /** Aborts incomplete multipart uploads older than a cutoff (garbage collection). */
  readonly multipart: { abortIncomplete(before: Date, dryRun: boolean): Promise<number> };
  readonly scans: ScanStore;
  readonly vulnerabilities: VulnerabilityStore;
  readonly templates: RepositoryCreationTemplateStore;
  readonly lifecycleTargets: LifecycleTargets;
  readonly replications: ReplicationStatusStore;
}

/**
 * Blobs and uploads in S3, metadata in one DynamoDB table: the storage every Lambda and
 * `cargohold serve --backend aws` open, over the process's shared clients. Closing it releases those
 * clients, so a process opens its storage once and closes it when it stops.
 */
export function openAwsStorage(clients: AwsClients, location: AwsStorageLocation): AwsStorage {
  const blobs = createS3BlobStorage({
    client: s3Client(clients),
    bucket: location.bucket,
    ...(location.bucketPrefix ? { prefix: location.bucketPrefix } : {}),
  });
  const metadata = createDynamoMetadata({ client: dynamoDbClient(clients), table: location.table });
  return {
    ...blobs,
    ...metadata,
    close: async () => clients.destroy(),
  };
}
