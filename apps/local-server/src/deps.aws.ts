import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import type { RegistryStorage } from '@cargohold/storage-ports';
import { createS3BlobStorage } from '@cargohold/storage-s3';

export interface AwsStorageOptions {
  readonly bucket: string;
  readonly table: string;
  readonly bucketPrefix?: string;
}

/**
 * `--backend aws`: blobs and uploads in S3, metadata in DynamoDB — the adapters the Lambdas use, in one
 * long-lived process that accepts large single-request pushes. Endpoints, region and credentials come
 * from the SDK's standard variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, …);
 * S3_FORCE_PATH_STYLE=true selects path-style URLs for emulators.
 */
export function openAwsStorage(options: AwsStorageOptions): RegistryStorage {
  const s3 = new S3Client({ forcePathStyle: process.env['S3_FORCE_PATH_STYLE'] === 'true' });
  const dynamo = new DynamoDBClient({});
  const blobs = createS3BlobStorage({ client: s3, bucket: options.bucket, ...(options.bucketPrefix ? { prefix: options.bucketPrefix } : {}) });
  const metadata = createDynamoMetadata({ client: dynamo, table: options.table });
  return {
    ...blobs,
    ...metadata,
    close: async () => {
      s3.destroy();
      dynamo.destroy();
    },
  };
}
