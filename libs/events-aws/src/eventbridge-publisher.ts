import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { toEcrEvents, type RegistryEvent } from '@cargohold/events';
import { deliverInBatches, utf8Bytes, type RetryOptions } from './batch-delivery';
import { EventPublishError } from './errors';
import type { EventPublisher } from './event-publisher';

export interface EventBridgePublisherOptions {
  readonly client: EventBridgeClient;
  readonly eventBusName: string;
  /**
   * The `Source` of published entries. ECR's own events say `aws.ecr`, but EventBridge reserves
   * `aws.*` sources for AWS services (a customer PutEvents with one is refused), so a deployment sets
   * its own (serverless.yml: `cargohold.ecr`); detail-types and details stay exactly ECR's.
   */
  readonly source?: string;
  readonly retry?: RetryOptions;
}

/** PutEvents takes at most 10 entries; an entry, and the request, are capped at 256 KiB. */
const LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;
/** The PutEvents error codes AWS documents as retryable; every other code is final. */
const RETRYABLE = new Set(['InternalFailure', 'ThrottlingException']);

interface Entry {
  readonly eventId: string;
  readonly request: PutEventsRequestEntry;
}

/**
 * Internal events onto an EventBridge bus in ECR's own shapes (`toEcrEvents`: source `aws.ecr`,
 * `ECR Image Action` / `ECR Image Scan`), so rules written for ECR match them unchanged. Events with no
 * ECR counterpart (scan requests) publish nothing. A failed entry (FailedEntryCount > 0) is re-sent when
 * its error code is retryable.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly options: EventBridgePublisherOptions) {}

  async publish(events: readonly RegistryEvent[]): Promise<void> {
    const entries: Entry[] = events.flatMap((event) =>
      toEcrEvents(event).map((ecr) => ({
        eventId: event.id,
        request: {
          EventBusName: this.options.eventBusName,
          Source: this.options.source ?? ecr.source,
          DetailType: ecr['detail-type'],
          Detail: JSON.stringify(ecr.detail),
          Resources: ecr.resources,
          Time: new Date(ecr.time),
        },
      })),
    );
    const undelivered = await deliverInBatches(
      entries,
      LIMITS,
      (entry) => entrySize(entry.request),
      async (batch) => {
        const response = await this.options.client.send(new PutEventsCommand({ Entries: batch.map((entry) => entry.request) }));
        if (!response.FailedEntryCount) return [];
        // Result entries are index-aligned with the request: a failed one carries ErrorCode, not EventId.
        return (response.Entries ?? []).flatMap((result, index) =>
          result.ErrorCode === undefined
            ? []
            : [{ index, retryable: RETRYABLE.has(result.ErrorCode), reason: `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim() }],
        );
      },
      this.options.retry,
    );
    if (undelivered.length > 0) {
      throw new EventPublishError(
        `EventBridge bus ${this.options.eventBusName}`,
        [...new Set(undelivered.map(({ entry }) => entry.eventId))],
        undelivered.map(({ reason }) => reason),
      );
    }
  }
}

/** An entry's size as EventBridge computes it ("Calculating PutEvents event entry size"). */
function entrySize(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time ? 14 : 0) +
    utf8Bytes(entry.Source ?? '') +
    utf8Bytes(entry.DetailType ?? '') +
    utf8Bytes(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8Bytes(resource), 0)
  );
}
