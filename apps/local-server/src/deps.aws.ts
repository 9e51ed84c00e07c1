import {
  AwsClients,
  checkAwsStorage,
  openAwsStorage,
  resolveRegion,
  SecretsManagerSecretStore,
  secretsManagerClient,
  type AwsStorage,
  type AwsStorageLocation,
} from '@cargohold/platform-aws';
import type { SecretStore } from '@cargohold/storage-ports';

export interface AwsStorageOptions extends AwsStorageLocation {
  /** The config file's `region`: the SDK's region when neither AWS_REGION nor AWS_DEFAULT_REGION is set. */
  readonly region?: string;
}

/**
 * `--backend aws`: blobs and uploads in S3, metadata in DynamoDB — the same storage the Lambdas open, in
 * one long-lived process that accepts large single-request pushes. Endpoints and credentials come from
 * the SDK's standard variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB, AWS_PROFILE, …);
 * S3_FORCE_PATH_STYLE=true selects path-style URLs for emulators. The bucket and the table are read once
 * before serving, so a server that cannot use them refuses to start and says why.
 */
export async function openAwsStorageChecked(options: AwsStorageOptions): Promise<AwsStorage> {
  const { region: configured, ...location } = options;
  const region = resolveRegion(process.env, configured);
  const clients = new AwsClients({ ...(region ? { region } : {}), s3ForcePathStyle: process.env['S3_FORCE_PATH_STYLE'] === 'true' });
  try {
    await checkAwsStorage(clients, location, { bucket: 'pass --bucket', table: 'pass --table' });
  } catch (error) {
    clients.destroy();
    throw error;
  }
  return openAwsStorage(clients, location);
}

/**
 * Upstream credentials as the functions read them, from Secrets Manager: for the upload gateway, which
 * fills the pull-through blob misses the `/v2/` function sends it (its task role may read only
 * `secret:ecr-pullthroughcache/*`).
 */
export function awsSecretStore(configuredRegion?: string): SecretStore {
  const region = resolveRegion(process.env, configuredRegion);
  return new SecretsManagerSecretStore(secretsManagerClient(new AwsClients({ ...(region ? { region } : {}) })));
}
