import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { IdentityDirectory } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/http-token';
import type { DeploymentEnv } from '@cargohold/lambda-kit';
import { createRegistry, parsePolicy, systemClock } from '@cargohold/registry-core';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import type { Logger } from 'pino';
import { sigV4Authenticator, type EcrApiDeps } from '@cargohold/http-ecr';

/**
 * The ECR API over the AWS adapters, built once per container from the function's environment
 * (endpoints from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB, which the SDK reads itself).
 */
export function awsEcrDeps(env: DeploymentEnv, logger: Logger): EcrApiDeps {
  const s3 = new S3Client({ forcePathStyle: env.s3ForcePathStyle });
  const blobs = createS3BlobStorage({ client: s3, bucket: env.bucket, ...(env.bucketPrefix ? { prefix: env.bucketPrefix } : {}) });
  const metadata = createDynamoMetadata({ client: new DynamoDBClient({}), table: env.table });
  const directory = new IdentityDirectory(env.identities);
  const tokens = createAuthToken({
    tokenKey: env.tokenKey,
    repositories: metadata.repositories,
    registries: metadata.registries,
    identityPolicies: (arn) => directory.identityPolicies(arn),
    clock: systemClock,
  });
  return {
    registry: createRegistry({
      storage: { ...blobs, ...metadata, close: async () => undefined },
      // StartImageScan writes the scan with its request; the table stream carries it to the scanner.
      scans: metadata.scans,
    }),
    authenticate: sigV4Authenticator(directory.credentialLookup),
    authorize: (checks) => tokens.access.decideEach(checks),
    services: {
      issueToken: tokens.issue,
      downloadUrl: tokens.downloadUrl,
      validatePolicy: (text) => void parsePolicy(text, 'resource'),
    },
    registryDomain: env.registryDomain,
    defaultRegistry: env.registryId,
    logger,
  };
}
