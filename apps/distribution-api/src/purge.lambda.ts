import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { scheduleHandler } from '@cargohold/lambda-kit';
import { createRegistry } from '@cargohold/registry-core';
import pino from 'pino';
import { z } from 'zod';
import { openAwsStorage } from './deps.aws';

/**
 * The upload purge on an EventBridge schedule (serverless.yml: every 15 minutes): expires upload sessions
 * idle longer than the limit, with their staged bytes, as the embedded server does on a timer. Its
 * environment is storage only (no token key, no identities), so it reads just that part; clients and the
 * registry are built once per container.
 */
const env = z
  .object({
    BUCKET: z.string().min(3),
    BUCKET_PREFIX: z.string().optional(),
    TABLE: z.string().min(3),
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .parse(process.env);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'upload-purge' } });
const storage = openAwsStorage(
  { bucket: env.BUCKET, table: env.TABLE, ...(env.BUCKET_PREFIX ? { bucketPrefix: env.BUCKET_PREFIX } : {}) },
  new S3Client({ forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' }),
  new DynamoDBClient({}),
);
const registry = createRegistry({ storage });

export const handler = scheduleHandler(
  async () => {
    const expired = await registry.uploads.purgeIdle();
    logger.info({ expired }, 'purged idle uploads');
  },
  { logger },
);
