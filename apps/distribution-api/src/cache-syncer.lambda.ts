import { parseCacheRequest } from '@cargohold/events-aws';
import { sqsBatchHandler } from '@cargohold/lambda-kit';
import { AwsClients, openAwsStorage, readDeploymentEnv } from '@cargohold/platform-aws';
import { createRegistry } from '@cargohold/registry-core';
import pino from 'pino';
import { awsCacheSyncer } from './deps.pull-through';

/**
 * The cache-syncer queue (serverless.yml: ReportBatchItemFailures, a DLQ after 5 receives) → one
 * pull-through image cached per record: a pull the /v2/ function served uncached (its blobs were not
 * stored yet) is stored here with its whole closure, each blob streamed from the upstream into S3 and
 * verified, then the manifest and its tag. Idempotent, as at-least-once delivery needs; an upstream
 * failure fails only its record. Built once per container, with the /v2/ function's environment.
 */
const env = readDeploymentEnv(process.env);
const logger = pino({ level: env.logLevel, base: { service: 'cache-syncer' } });
const clients = new AwsClients({ region: env.region, s3ForcePathStyle: env.s3ForcePathStyle });
const storage = openAwsStorage(clients, env);
const registry = createRegistry({ storage, templates: storage.templates });
const syncer = awsCacheSyncer(env, clients, storage, registry, logger, 'worker');

export const handler = sqsBatchHandler(
  async (record) => {
    const request = parseCacheRequest(record);
    const covered = await syncer.cacheReference({ registry: request.registry, name: request.repository }, request.reference);
    if (!covered) return logger.warn(request, 'pull-through: no rule covers the repository any more, request dropped');
    logger.info(request, 'pull-through: image cached');
  },
  { logger },
);
