import type { SweepRequest } from '@cargohold/events-aws';
import { scheduleHandler } from '@cargohold/lambda-kit';
import { parseFunctionEnv } from '@cargohold/platform-aws';
import pino from 'pino';
import { awsSweeperDeps, SweeperEnvSchema } from './deps.aws';

/**
 * The EventBridge schedule (serverless.yml) → one sweep request per repository with a lifecycle policy on
 * the sweep queue, so the worker sweeps each on its own and one huge repository never holds up the rest.
 * Requests are sent in batches as the listing goes; a failure fails the run (EventBridge retries it), and
 * a repository requested twice is swept twice, harmlessly.
 */
const env = parseFunctionEnv(SweeperEnvSchema, process.env);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'lifecycle-sweeper' } });
const { targets, queue } = awsSweeperDeps(env);
const BATCH = 100;

export const handler = scheduleHandler(
  async () => {
    let batch: SweepRequest[] = [];
    let requested = 0;
    const flush = async () => {
      await queue.send(batch);
      requested += batch.length;
      batch = [];
    };
    for await (const repo of targets.list()) {
      batch.push({ registry: repo.registry, repository: repo.name });
      if (batch.length === BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    logger.info({ requested }, 'lifecycle sweeps requested');
  },
  { logger },
);
