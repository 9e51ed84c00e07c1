import { EventBridgePublisher } from '@cargohold/events-aws';
import { AwsClients, eventBridgeClient, SecretsManagerSecretStore, secretsManagerClient, type AwsStorage, type DeploymentEnv } from '@cargohold/platform-aws';
import { upstreamConnector } from '@cargohold/platform-node';
import { CacheSyncer, PullThroughRules, type CacheEventSink } from '@cargohold/pull-through';
import type { Registry } from '@cargohold/registry-core';
import type { Logger } from 'pino';

/** Pull-through cache events straight to the bus, in ECR's shape. */
function busSink(clients: AwsClients, bus: NonNullable<DeploymentEnv['eventBus']>): CacheEventSink {
  const publisher = new EventBridgePublisher({ client: eventBridgeClient(clients), eventBusName: bus.name, ...(bus.source ? { source: bus.source } : {}) });
  return { record: (events) => publisher.publish(events) };
}

/**
 * The cache-syncer on AWS, for the /v2/ function and its schedule (refresh.lambda.ts): rules in the
 * registry's settings item, credentials from Secrets Manager, events on the bus (no table write carries
 * a sync's outcome to the stream). With the upload gateway, a manifest miss fetches the manifest (and an
 * index's children) only, within the invocation's budget, and blob misses are redirected to the gateway;
 * without it, a pull miss fills the cache within the invocation, a blob stored to S3 before the route
 * redirects to it (a Lambda response cannot carry a layer).
 */
export function awsCacheSyncer(
  env: DeploymentEnv,
  clients: AwsClients,
  storage: AwsStorage,
  registry: Registry,
  logger: Logger,
  within: 'request' | 'schedule' = 'request',
): CacheSyncer {
  const rules = new PullThroughRules({
    registries: storage.registries,
    secrets: new SecretsManagerSecretStore(secretsManagerClient(clients)),
    connect: upstreamConnector({ maxManifestBytes: registry.limits.maxManifestBytes }),
    insecureUpstreams: env.pullThrough.insecureUpstreams,
  });
  return new CacheSyncer({
    registry,
    storage,
    rules,
    refreshIntervalMs: env.pullThrough.refreshIntervalMs,
    blobMisses: 'store-first',
    // With the upload gateway, no blob is fetched in a request here: its GET is redirected there to be
    // filled. The schedule has 15 minutes and no client waiting: it stores a moved tag's blobs itself.
    lazyBlobs: within === 'request' && env.uploadGatewayUrl !== undefined,
    ...(env.eventBus ? { events: busSink(clients, env.eventBus) } : {}),
    onStaleServe: (repo, reference, err) => logger.warn({ err, repository: repo.name, reference }, 'pull-through: serving the cached copy'),
  });
}
