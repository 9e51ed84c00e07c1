import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import pino, { type Logger } from 'pino';

export interface SqsBatchHandlerOptions {
  readonly logger?: Logger;
}

export type SqsBatchLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * One function per SQS record, run concurrently; the batch answers `batchItemFailures` with the ids
 * of the records that failed (the event source mapping needs `FunctionResponseTypes:
 * [ReportBatchItemFailures]`), so only those are redelivered and, past maxReceiveCount, dead-lettered.
 * Consumers must be idempotent: delivery is at least once. Not for FIFO queues (no in-order stop).
 */
export function sqsBatchHandler(fn: (record: SQSRecord, context: Context) => Promise<void>, options: SqsBatchHandlerOptions = {}): SqsBatchLambda {
  const logger = options.logger ?? pino({ base: { service: 'cargohold' } });
  const lambda = middy(async (event: SQSEvent, context: Context) => Promise.allSettled(event.Records.map((record) => fn(record, context)))).use(
    sqsPartialBatchFailure({
      logger: (reason: unknown, record: SQSRecord) =>
        logger.error({ err: reason, messageId: record.messageId, eventSourceARN: record.eventSourceARN }, 'SQS record failed'),
    }),
  );
  return lambda as unknown as SqsBatchLambda;
}
