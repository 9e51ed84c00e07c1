/**
 * Some events could not be handed to SQS or EventBridge, even after retrying the entries the service
 * reported as retryable. Nothing is dropped silently: the caller learns exactly which events to deliver
 * again (at-least-once; consumers are idempotent, so redelivering the ones that did go through is harmless).
 */
export class EventPublishError extends Error {
  constructor(
    readonly destination: string,
    /** Internal event ids (`RegistryEvent.id`) not delivered, in publishing order. */
    readonly failedEventIds: readonly string[],
    reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${destination}: ${failedEventIds.length} event(s) not delivered (${[...new Set(reasons)].join('; ')})`, options);
    this.name = new.target.name;
  }
}

/** A queue message or stream record that is not a well-formed event: it must fail, never be skipped. */
export class MalformedEventError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(what, options);
    this.name = new.target.name;
  }
}
