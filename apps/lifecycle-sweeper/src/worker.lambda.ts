import { parseSweepRequest } from '@cargohold/events-aws';
import { sqsBatchHandler } from '@cargohold/lambda-kit';
import { parseFunctionEnv } from '@cargohold/platform-aws';
import pino from 'pino';
import { awsSweeperDeps, SweeperEnvSchema } from './deps.aws';

/**
 * The sweep queue (ReportBatchItemFailures, a DLQ after 5 receives) → one lifecycle sweep per record.
 * A sweep is idempotent (it re-evaluates the policy over the repository as it is), which at-least-once
 * delivery needs; a malformed body or a sweep that threw fails only its record.
 */
const env = parseFunctionEnv(SweeperEnvSchema, process.env);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'lifecycle-sweeper' } });
const { sweeper } = awsSweeperDeps(env);

export const handler = sqsBatchHandler(
  async (record) => {
    const request = parseSweepRequest(record);
    const report = await sweeper.sweep({ registry: request.registry, name: request.repository });
    const { expired, transitioned, skipped } = report;
    logger.info(
      { ...request, evaluated: report.evaluated, expired: expired.length, transitioned: transitioned.length, skipped: skipped.length },
      'lifecycle sweep',
    );
  },
  { logger },
);
