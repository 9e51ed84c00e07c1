import { backfillRequestOf, parseSqsEvent } from '@cargohold/events-aws';
import { sqsBatchHandler } from '@cargohold/lambda-kit';
import { parseFunctionEnv } from '@cargohold/platform-aws';
import pino from 'pino';
import { awsBackfillWorker } from './backfill-worker';
import { awsReplicator, ReplicatorEnvSchema } from './deps.aws';

/**
 * The replicator queue (serverless.yml: internal events from the stream forwarder, ReportBatchItemFailures,
 * a DLQ after 5 receives) → the core's Replicator. A record whose replication threw (a storage outage)
 * returns to the queue alone; one that is not a registry event fails and is dead-lettered. The Replicator re-reads current state, so redeliveries and reordering are harmless.
 * The same queue carries replication backfill requests (StartReplicationBackfill, and this function's own
 * continuations): each runs a slice of its backfill until the invocation nears its timeout.
 */
const env = parseFunctionEnv(ReplicatorEnvSchema, process.env);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'replicator' } });
const replicator = awsReplicator(env);
const backfills = awsBackfillWorker(env, replicator);

// `async`: a parse error must reject this record's promise, not throw out of the whole batch.
export const handler = sqsBatchHandler(
  async (record, context) => {
    const request = backfillRequestOf(record);
    if (!request) return replicator.handle(parseSqsEvent(record));
    const slice = await backfills.run(request, () => context.getRemainingTimeInMillis());
    if (!slice) return logger.warn({ registry: request.registry, id: request.id }, 'replication backfill no longer listed: request dropped');
    const { backfill, resumeAfter } = slice;
    const { total, completed, failed } = backfill.progress;
    logger.info(
      { registry: request.registry, id: request.id, status: backfill.status, total, completed, failed, continues: resumeAfter !== undefined },
      'replication backfill slice',
    );
  },
  { logger },
);
