import { scheduleHandler } from '@cargohold/lambda-kit';
import { AwsClients, AwsStorageEnvSchema, clientOptionsOf, LogLevelSchema, openAwsStorage, parseFunctionEnv, storageLocationOf } from '@cargohold/platform-aws';
import { createRegistry } from '@cargohold/registry-core';
import pino from 'pino';

/**
 * The upload purge on an EventBridge schedule (serverless.yml: every 15 minutes): expires upload sessions
 * idle longer than the limit, with their staged bytes, as the embedded server does on a timer. Its
 * environment is storage only (no token key, no identities), so it reads just that part; clients and the
 * registry are built once per container.
 */
const env = parseFunctionEnv(AwsStorageEnvSchema.extend({ LOG_LEVEL: LogLevelSchema }), process.env);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'upload-purge' } });
const storage = openAwsStorage(new AwsClients(clientOptionsOf(process.env, env)), storageLocationOf(env));
const registry = createRegistry({ storage });

export const handler = scheduleHandler(
  async () => {
    const expired = await registry.uploads.purgeIdle();
    logger.info({ expired }, 'purged idle uploads');
  },
  { logger },
);
