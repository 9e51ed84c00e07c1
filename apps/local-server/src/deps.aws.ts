import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
// The one remaining app-to-app import: openAwsStorage moves to the AWS platform library (issue 8, item 2).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { openAwsStorage as openStorageOverClients } from '@cargohold/distribution-api';
import type { RegistryStorage } from '@cargohold/storage-ports';

export interface AwsStorageOptions {
  readonly bucket: string;
  readonly table: string;
  readonly bucketPrefix?: string;
}

/**
 * `--backend aws`: blobs and uploads in S3, metadata in DynamoDB — the same storage the Lambdas open, in
 * one long-lived process that accepts large single-request pushes. Endpoints, region and credentials
 * come from the SDK's standard variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, …);
 * S3_FORCE_PATH_STYLE=true selects path-style URLs for emulators.
 */
export function openAwsStorage(options: AwsStorageOptions): RegistryStorage {
  const s3 = new S3Client({ forcePathStyle: process.env['S3_FORCE_PATH_STYLE'] === 'true' });
  return openStorageOverClients(options, s3, new DynamoDBClient({}));
}
