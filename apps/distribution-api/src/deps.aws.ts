import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { IdentityDirectory } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/http-token';
import type { DeploymentEnv } from '@cargohold/lambda-kit';
import { registryFromHost } from '@cargohold/oci';
import { createRegistry, systemClock } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import type { RegistryStorage } from '@cargohold/storage-ports';
import { createS3BlobStorage, presignBlobUrl } from '@cargohold/storage-s3';
import type { Logger } from 'pino';
import type { DistributionApiDeps } from '@cargohold/http-distribution';

/**
 * The distribution API over the AWS adapters, built once per container from the function's environment.
 * Endpoints come from the SDK's own variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB), so the
 * same code serves AWS, LocalStack and the emulators in the tests.
 */
export function awsDistributionDeps(env: DeploymentEnv, logger: Logger): DistributionApiDeps {
  const s3 = new S3Client({ forcePathStyle: env.s3ForcePathStyle });
  const storage = openAwsStorage(env, s3, new DynamoDBClient({}));
  const directory = new IdentityDirectory(env.identities);
  const tokens = createAuthToken({
    tokenKey: env.tokenKey,
    repositories: storage.repositories,
    registries: storage.registries,
    identityPolicies: (arn) => directory.identityPolicies(arn),
    clock: systemClock,
  });
  return {
    registry: createRegistry({ storage }),
    authorizer: tokens.authorizer,
    registryFor: (host) => registryFromHost(host, env.registryId),
    logger,
    // Lambda cannot carry a layer in its response: clients fetch it from S3 with a short-lived URL.
    blobRedirects: { urlFor: (digest) => presignBlobUrl(s3, env.bucket, env.bucketPrefix, digest, env.blobUrlTtlSeconds) },
    requestLimits: { maxRequestBytes: env.maxRequestBytes, chunkMinLength: env.chunkMinLength },
  };
}

/** Blobs and uploads in S3, metadata in one DynamoDB table. */
export function openAwsStorage(env: Pick<DeploymentEnv, 'bucket' | 'bucketPrefix' | 'table'>, s3: S3Client, dynamo: DynamoDBClient): RegistryStorage {
  const blobs = createS3BlobStorage({ client: s3, bucket: env.bucket, ...(env.bucketPrefix ? { prefix: env.bucketPrefix } : {}) });
  const metadata = createDynamoMetadata({ client: dynamo, table: env.table });
  return {
    ...blobs,
    ...metadata,
    close: async () => {
      s3.destroy();
      dynamo.destroy();
    },
  };
}
