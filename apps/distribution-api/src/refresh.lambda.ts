import { scheduleHandler } from '@cargohold/lambda-kit';
import { AwsClients, openAwsStorage, readDeploymentEnv } from '@cargohold/platform-aws';
import { refreshRegistry } from '@cargohold/pull-through';
import { createRegistry } from '@cargohold/registry-core';
import pino from 'pino';
import { awsCacheSyncer } from './deps.pull-through';

/**
 * The pull-through cache's schedule (serverless.yml: daily, as ECR refreshes): every cached tag of the
 * default registry is re-checked against its upstream and moved where the upstream moved it. Built once
 * per container, with the /v2/ function's environment and role.
 */
const env = readDeploymentEnv(process.env);
const logger = pino({ level: env.logLevel, base: { service: 'cache-refresh' } });
const clients = new AwsClients({ region: env.region, s3ForcePathStyle: env.s3ForcePathStyle });
const storage = openAwsStorage(clients, env);
const registry = createRegistry({ storage, templates: storage.templates });
const syncer = awsCacheSyncer(env, clients, storage, registry, logger, 'schedule');

export const handler = scheduleHandler(
  async () => {
    const report = await refreshRegistry(syncer, storage, env.registryId, (repo, tag, err) =>
      logger.warn({ err, repository: repo.name, tag }, 'pull-through: refresh failed'),
    );
    logger.info(report, 'pull-through: cached tags refreshed');
  },
  { logger },
);
