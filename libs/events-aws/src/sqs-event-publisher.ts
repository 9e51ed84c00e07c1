import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RegistryEvent } from '@cargohold/events';
import { deliverInBatches, utf8Bytes, type RetryOptions } from './batch-delivery';
import { EventPublishError } from './errors';
import type { EventPublisher } from './event-publisher';

export interface SqsEventPublisherOptions {
  readonly client: SQSClient;
  /** A standard queue (not FIFO: no MessageGroupId; consumers tolerate reordering). */
  readonly queueUrl: string;
  readonly retry?: RetryOptions;
}

/** SendMessageBatch takes at most 10 entries and 256 KiB of message bodies per call. */
const LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

/**
 * Internal events onto an SQS queue for the workers, one message per event whose body is the event's
 * JSON (read back with `parseSqsEvent`). Entries SQS reports failed without a sender fault are re-sent.
 */
export class SqsEventPublisher implements EventPublisher {
  constructor(private readonly options: SqsEventPublisherOptions) {}

  async publish(events: readonly RegistryEvent[]): Promise<void> {
    const messages = events.map((event) => ({ event, body: JSON.stringify(event) }));
    const undelivered = await deliverInBatches(
      messages,
      LIMITS,
      (message) => utf8Bytes(message.body),
      async (batch) => {
        const response = await this.options.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            // Batch-local ids: the index, so a failure maps back to its entry.
            Entries: batch.map((message, index) => ({ Id: String(index), MessageBody: message.body })),
          }),
        );
        return (response.Failed ?? []).map((failed) => ({
          index: Number(failed.Id),
          retryable: failed.SenderFault !== true,
          reason: `${failed.Code ?? 'Failed'}: ${failed.Message ?? ''}`.trim(),
        }));
      },
      this.options.retry,
    );
    if (undelivered.length > 0) {
      throw new EventPublishError(
        `SQS ${this.options.queueUrl}`,
        undelivered.map(({ entry }) => entry.event.id),
        undelivered.map(({ reason }) => reason),
      );
    }
  }
}
