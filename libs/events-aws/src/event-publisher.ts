import type { RegistryEvent } from '@cargohold/events';

/**
 * Hands internal events to a delivery service (an SQS queue, an EventBridge bus).
 *
 * Contract: resolves once every event was accepted by the service (durably stored by it); otherwise
 * rejects with EventPublishError naming the ids of the events that were not, after retrying what the
 * service reported as retryable. Events may be delivered more than once (a retried batch, a redelivered
 * source record) and in any order across batches: consumers are idempotent and re-read current state.
 * `publish([])` does nothing.
 */
export interface EventPublisher {
  publish(events: readonly RegistryEvent[]): Promise<void>;
}
