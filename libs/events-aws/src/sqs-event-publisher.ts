import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RegistryEvent } from '@cargohold/events';
import type { RetryOptions } from './batch-delivery';
import { EventPublishError } from './errors';
import type { EventPublisher } from './event-publisher';
import { sendInSqsBatches } from './sqs-batches';

export interface SqsEventPublisherOptions {
  readonly client: SQSClient;
  /** A standard queue (not FIFO: no MessageGroupId; consumers tolerate reordering). */
  readonly queueUrl: string;
  readonly retry?: RetryOptions;
}

/**
 * Internal events onto an SQS queue for the workers, one message per event whose body is the event's
 * JSON (read back with `parseSqsEvent`). Entries SQS reports failed without a sender fault are re-sent.
 */
export class SqsEventPublisher implements EventPublisher {
  constructor(private readonly options: SqsEventPublisherOptions) {}

  async publish(events: readonly RegistryEvent[]): Promise<void> {
    const undelivered = await sendInSqsBatches(this.options, events, (event) => JSON.stringify(event));
    if (undelivered.length > 0) {
      throw new EventPublishError(
        `SQS ${this.options.queueUrl}`,
        undelivered.map(({ entry }) => entry.id),
        undelivered.map(({ reason }) => reason),
      );
    }
  }
}
