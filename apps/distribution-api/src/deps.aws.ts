import { IdentityDirectory } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/http-token';
import { registryFromHost } from '@cargohold/oci';
import { AwsClients, openAwsStorage, s3Client, type DeploymentEnv, type RequestReads } from '@cargohold/platform-aws';
import { createRegistry, systemClock } from '@cargohold/registry-core';
import { presignBlobUrl } from '@cargohold/storage-s3';
import type { Logger } from 'pino';
import { gatewayFills, gatewayUploads, type DistributionApiDeps } from '@cargohold/http-distribution';
import { awsCacheSyncer } from './deps.pull-through';

/**
 * The distribution API over the AWS storage, built once per container from the function's environment.
 * Registry settings and repository items are read once per request (`reads.scoped` around the handler).
 */
export function awsDistributionDeps(env: DeploymentEnv, logger: Logger, reads: RequestReads): DistributionApiDeps {
  const clients = new AwsClients({ region: env.region, s3ForcePathStyle: env.s3ForcePathStyle });
  const opened = openAwsStorage(clients, env);
  const storage = { ...opened, registries: reads.registries(opened.registries), repositories: reads.repositories(opened.repositories) };
  const directory = new IdentityDirectory(env.identities);
  const tokens = createAuthToken({
    tokenKey: env.tokenKey,
    repositories: storage.repositories,
    registries: storage.registries,
    identityPolicies: (arn) => directory.identityPolicies(arn),
    clock: systemClock,
  });
  const registry = createRegistry({
    storage,
    // Create-on-push applies the repository creation templates.
    templates: storage.templates,
    onBestEffortFailure: (what, err) => logger.warn({ err, what }, 'a best-effort write failed; reads go on (logged once until it works again)'),
  });
  return {
    registry,
    // A manifest pull miss fills the cache within this invocation (deps.pull-through.ts); a blob miss is
    // sent to the upload gateway when there is one (below), else stored to S3 here first.
    pullThrough: awsCacheSyncer(env, clients, storage, registry, logger),
    authorizer: tokens.authorizer,
    registryFor: (host) => registryFromHost(host, env.registryId),
    logger,
    // Lambda cannot carry a layer in its response: clients fetch it from S3 with a short-lived URL.
    blobRedirects: { urlFor: (digest) => presignBlobUrl(s3Client(clients), env.bucket, env.bucketPrefix, digest, env.blobUrlTtlSeconds) },
    requestLimits: { maxRequestBytes: env.maxRequestBytes, chunkMinLength: env.chunkMinLength },
    // Lambda cannot take a layer in one request either: uploads continue on the gateway, by capability.
    // Nor can it carry a pull-through blob miss: the gateway streams the upstream's bytes while storing them.
    ...(env.uploadGatewayUrl
      ? { uploadLocations: gatewayUploads(env.uploadGatewayUrl, tokens.uploadCapability), blobFills: gatewayFills(env.uploadGatewayUrl, tokens.fillCapability) }
      : {}),
  };
}
