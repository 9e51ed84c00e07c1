import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import { parseRegistryEvent, type RegistryEvent } from '@cargohold/events';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MalformedEventError } from './errors';

/** Reads the event a message carries (a body written by SqsEventPublisher); anything else throws. */
export function parseSqsEvent(record: Pick<SQSRecord, 'messageId' | 'body'>): RegistryEvent {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch (cause) {
    throw new MalformedEventError(`SQS message ${record.messageId}: body is not JSON`, { cause });
  }
  try {
    return parseRegistryEvent(json);
  } catch (cause) {
    throw new MalformedEventError(`SQS message ${record.messageId}: body is not a registry event`, { cause });
  }
}

export type SqsEventLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export interface SqsEventConsumerOptions {
  /** Told about each failed record (default: console.error, middy's default). */
  readonly onFailure?: (reason: unknown, record: SQSRecord) => void;
}

/**
 * A Lambda handler for an SQS event source mapping with `FunctionResponseTypes: [ReportBatchItemFailures]`:
 * each record is parsed and handed to `handler`, concurrently; the answer lists the records that failed,
 * so only those return to the queue. A malformed body fails like any other error: it is received again
 * until the queue's maxReceiveCount moves it to the dead-letter queue, where it can be inspected. Nothing
 * is acknowledged without having been handled. Delivery is at least once: `handler` must be idempotent.
 */
export function sqsEventConsumer(handler: (event: RegistryEvent, record: SQSRecord) => Promise<void>, options: SqsEventConsumerOptions = {}): SqsEventLambda {
  const lambda = middy(async (event: SQSEvent) => Promise.allSettled(event.Records.map(async (record) => handler(parseSqsEvent(record), record)))).use(
    sqsPartialBatchFailure(options.onFailure ? { logger: options.onFailure } : {}),
  );
  return lambda as unknown as SqsEventLambda;
}
