import { IdentityDirectory } from '@cargohold/auth';
import { createAuthToken } from '@cargohold/http-token';
import { registryFromHost } from '@cargohold/oci';
import { EventBridgePublisher } from '@cargohold/events-aws';
import {
  AwsClients,
  eventBridgeClient,
  openAwsStorage,
  s3Client,
  SecretsManagerSecretStore,
  secretsManagerClient,
  type DeploymentEnv,
} from '@cargohold/platform-aws';
import { upstreamConnector } from '@cargohold/platform-node';
import { CacheSyncer, PullThroughRules, type CacheEventSink } from '@cargohold/pull-through';
import { createRegistry, systemClock } from '@cargohold/registry-core';
import { presignBlobUrl } from '@cargohold/storage-s3';
import type { Logger } from 'pino';
import { gatewayUploads, type DistributionApiDeps } from '@cargohold/http-distribution';

/** Pull-through cache events straight to the bus, in ECR's shape. */
function busSink(clients: AwsClients, bus: NonNullable<DeploymentEnv['eventBus']>): CacheEventSink {
  const publisher = new EventBridgePublisher({ client: eventBridgeClient(clients), eventBusName: bus.name, ...(bus.source ? { source: bus.source } : {}) });
  return { record: (events) => publisher.publish(events) };
}

/** The distribution API over the AWS storage, built once per container from the function's environment. */
export function awsDistributionDeps(env: DeploymentEnv, logger: Logger): DistributionApiDeps {
  const clients = new AwsClients({ region: env.region, s3ForcePathStyle: env.s3ForcePathStyle });
  const storage = openAwsStorage(clients, env);
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
  const rules = new PullThroughRules({
    registries: storage.registries,
    secrets: new SecretsManagerSecretStore(secretsManagerClient(clients)),
    connect: upstreamConnector(),
    insecureUpstreams: env.pullThrough.insecureUpstreams,
  });
  return {
    registry,
    // A pull miss fills the cache within this invocation: manifests with their blobs, and a missing blob
    // stored to S3 before the route redirects to it (a Lambda response cannot carry a layer).
    pullThrough: new CacheSyncer({
      registry,
      storage,
      rules,
      refreshIntervalMs: env.pullThrough.refreshIntervalMs,
      blobMisses: 'store-first',
      // No table write carries a sync's outcome to the stream: the event goes to the bus directly.
      ...(env.eventBus ? { events: busSink(clients, env.eventBus) } : {}),
      onStaleServe: (repo, reference, err) => logger.warn({ err, repository: repo.name, reference }, 'pull-through: serving the cached copy'),
    }),
    authorizer: tokens.authorizer,
    registryFor: (host) => registryFromHost(host, env.registryId),
    logger,
    // Lambda cannot carry a layer in its response: clients fetch it from S3 with a short-lived URL.
    blobRedirects: { urlFor: (digest) => presignBlobUrl(s3Client(clients), env.bucket, env.bucketPrefix, digest, env.blobUrlTtlSeconds) },
    requestLimits: { maxRequestBytes: env.maxRequestBytes, chunkMinLength: env.chunkMinLength },
    // Lambda cannot take a layer in one request either: uploads continue on the gateway, by capability.
    ...(env.uploadGatewayUrl ? { uploadLocations: gatewayUploads(env.uploadGatewayUrl, tokens.uploadCapability) } : {}),
  };
}
