import { scheduleHandler } from '@cargohold/lambda-kit';
import { SqsCacheRequests } from '@cargohold/events-aws';
import { AwsClients, openAwsStorage, readDeploymentEnv, sqsClient } from '@cargohold/platform-aws';
import { refreshRegistry, requestRefreshes } from '@cargohold/pull-through';
import { createRegistry } from '@cargohold/registry-core';
import pino from 'pino';
import { awsCacheSyncer } from './deps.pull-through';

/**
 * The pull-through cache's schedule (serverless.yml: daily, as ECR refreshes): every cached tag of the
 * default registry is re-checked against its upstream and moved where the upstream moved it. With the
 * cache-syncer queue (CACHE_SYNC_QUEUE_URL), each tag is a request there and the cache-syncer function
 * does the re-checks, so no walk has to fit in one invocation; without it, they run here. Built once per
 * container, with the /v2/ function's environment and role.
 */
const env = readDeploymentEnv(process.env);
const logger = pino({ level: env.logLevel, base: { service: 'cache-refresh' } });
const clients = new AwsClients({ region: env.region, s3ForcePathStyle: env.s3ForcePathStyle });
const storage = openAwsStorage(clients, env);
const registry = createRegistry({ storage, templates: storage.templates });
const syncer = awsCacheSyncer(env, clients, storage, registry, logger, 'schedule');

const queue = env.cacheSyncQueueUrl ? new SqsCacheRequests({ client: sqsClient(clients), queueUrl: env.cacheSyncQueueUrl }) : undefined;

export const handler = scheduleHandler(
  async () => {
    if (queue) {
      const queued = await requestRefreshes(syncer, storage, env.registryId, (requests) => queue.send(requests));
      logger.info(queued, 'pull-through: cached tags queued for the cache-syncer to re-check');
      return;
    }
    const report = await refreshRegistry(syncer, storage, env.registryId, (repo, tag, err) =>
      logger.warn({ err, repository: repo.name, tag }, 'pull-through: refresh failed'),
    );
    logger.info(report, 'pull-through: cached tags refreshed');
  },
  { logger },
);
