import type { RegistryEvent } from '@cargohold/events';
import { EventPublishError } from './errors';
import type { EventPublisher } from './event-publisher';
import { eventsFromStreamRecord } from './stream-records';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from 'pino';

export interface StreamForwarderDeps {
  /** Every destination gets every event (the bus in ECR shapes, the worker queue as internal events). */
  readonly publishers: readonly EventPublisher[];
  readonly logger: Logger;
}

/**
 * Turns one shard's batch of table changes into events and hands them to every publisher. The answer
 * follows Lambda's stream checkpointing (`ReportBatchItemFailures`): the SequenceNumber of the first
 * record whose events did not all go through, or that could not be read; Lambda acknowledges the records
 * before it and retries from it (the later ones again too, so at-least-once: event ids are derived from
 * the record, and consumers deduplicate). Records are read in order and mapping stops at a bad one, so
 * nothing after it is published ahead of it.
 */
export async function forwardStreamRecords(records: readonly DynamoDBRecord[], deps: StreamForwarderDeps): Promise<DynamoDBBatchResponse> {
  const mapped: { record: DynamoDBRecord; events: RegistryEvent[] }[] = [];
  let unreadable: DynamoDBRecord | undefined;
  for (const record of records) {
    try {
      mapped.push({ record, events: eventsFromStreamRecord(record) });
    } catch (error) {
      deps.logger.error({ err: error, eventID: record.eventID, sequenceNumber: record.dynamodb?.SequenceNumber }, 'unreadable stream record');
      unreadable = record;
      break;
    }
  }

  const events = mapped.flatMap(({ events }) => events);
  const undelivered = new Set<string>();
  const results = await Promise.allSettled(deps.publishers.map((publisher) => publisher.publish(events)));
  for (const result of results) {
    if (result.status === 'fulfilled') continue;
    deps.logger.error({ err: result.reason }, 'events not delivered');
    const ids = result.reason instanceof EventPublishError ? result.reason.failedEventIds : events.map((event) => event.id);
    for (const id of ids) undelivered.add(id);
  }

  const first = mapped.find(({ events }) => events.some((event) => undelivered.has(event.id)))?.record ?? unreadable;
  if (!first) return { batchItemFailures: [] };
  // Without a SequenceNumber the empty identifier makes Lambda retry the whole batch.
  return { batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? '' }] };
}
