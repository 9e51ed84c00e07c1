import { AwsClients, openAwsStorage as openOverClients, resolveRegion, type AwsStorageLocation } from '@cargohold/platform-aws';
import type { RegistryStorage } from '@cargohold/storage-ports';

/**
 * `--backend aws`: blobs and uploads in S3, metadata in DynamoDB — the same storage the Lambdas open, in
 * one long-lived process that accepts large single-request pushes. Endpoints and credentials come from
 * the SDK's standard variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_PROFILE, …), the
 * region from AWS_REGION or AWS_DEFAULT_REGION; S3_FORCE_PATH_STYLE=true selects path-style URLs for emulators.
 */
export function openAwsStorage(location: AwsStorageLocation): RegistryStorage {
  const region = resolveRegion(process.env);
  const clients = new AwsClients({ ...(region ? { region } : {}), s3ForcePathStyle: process.env['S3_FORCE_PATH_STYLE'] === 'true' });
  return openOverClients(clients, location);
}
