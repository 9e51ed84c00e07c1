import { EventBridgePublisher, SqsCacheRequests } from '@cargohold/events-aws';
import {
  AwsClients,
  EcrUpstreamTokens,
  eventBridgeClient,
  SecretsManagerSecretStore,
  secretsManagerClient,
  sqsClient,
  type AwsStorage,
  type DeploymentEnv,
} from '@cargohold/platform-aws';
import { upstreamConnector } from '@cargohold/platform-node';
import { CachedEcrTokens, CacheSyncer, PullThroughRules, type CacheEventSink } from '@cargohold/pull-through';
import type { Registry } from '@cargohold/registry-core';
import type { Logger } from 'pino';

/** How long a pull's cache request waits on the queue before the cache-syncer may take it. */
const CACHE_REQUEST_DELAY_SECONDS = 10;

/** Pull-through cache events straight to the bus, in ECR's shape. */
function busSink(clients: AwsClients, bus: NonNullable<DeploymentEnv['eventBus']>): CacheEventSink {
  const publisher = new EventBridgePublisher({ client: eventBridgeClient(clients), eventBusName: bus.name, ...(bus.source ? { source: bus.source } : {}) });
  return { record: (events) => publisher.publish(events) };
}

/**
 * The cache-syncer on AWS, for the /v2/ function, its schedule (refresh.lambda.ts) and its queue's worker
 * (cache-syncer.lambda.ts): rules in the registry's settings item, credentials from Secrets Manager,
 * events on the bus (no table write carries a sync's outcome to the stream). With the upload gateway, a
 * manifest miss fetches the manifest (and an index's children) only, within the invocation's budget,
 * blob misses are redirected to the gateway, and a manifest served uncached is queued for the worker,
 * which stores the image whole; without it, a pull miss fills the cache within the invocation, a blob
 * stored to S3 before the route redirects to it (a Lambda response cannot carry a layer).
 */
export function awsCacheSyncer(
  env: DeploymentEnv,
  clients: AwsClients,
  storage: AwsStorage,
  registry: Registry,
  logger: Logger,
  within: 'request' | 'schedule' | 'worker' = 'request',
): CacheSyncer {
  const rules = new PullThroughRules({
    registries: storage.registries,
    secrets: new SecretsManagerSecretStore(secretsManagerClient(clients)),
    connect: upstreamConnector({ maxManifestBytes: registry.limits.maxManifestBytes }),
    insecureUpstreams: env.pullThrough.insecureUpstreams,
    // Secrets holding access keys (and ECR upstreams without one: this function's role) are exchanged for a token.
    ecrTokens: new CachedEcrTokens(new EcrUpstreamTokens({ defaultRegion: env.region })),
  });
  return new CacheSyncer({
    registry,
    storage,
    rules,
    refreshIntervalMs: env.pullThrough.refreshIntervalMs,
    blobMisses: 'store-first',
    // With the upload gateway, no blob is fetched in a request here: its GET is redirected there to be
    // filled. The schedule and the worker have 15 minutes and no client waiting: they store blobs themselves.
    lazyBlobs: within === 'request' && env.uploadGatewayUrl !== undefined,
    // The worker takes a pull's request a little later: by then the puller's own blob GETs, filled by the
    // gateway, have stored most layers, which the worker then only links instead of fetching them again.
    ...(within === 'request' && env.cacheSyncQueueUrl
      ? { cacheRequests: new SqsCacheRequests({ client: sqsClient(clients), queueUrl: env.cacheSyncQueueUrl, delaySeconds: CACHE_REQUEST_DELAY_SECONDS }) }
      : {}),
    onCacheRequestFailure: (request, err) =>
      logger.warn({ err, ...request }, 'pull-through: the image could not be queued to be cached; the next pull caches it'),
    ...(env.eventBus ? { events: busSink(clients, env.eventBus) } : {}),
    onStaleServe: (repo, reference, err) => logger.warn({ err, repository: repo.name, reference }, 'pull-through: serving the cached copy'),
  });
}
