export * from './errors';
export * from './event-publisher';
export type { RetryOptions } from './batch-delivery';
export * from './sqs-event-publisher';
export * from './sqs-event-consumer';
export * from './eventbridge-publisher';
export * from './stream-records';
export * from './forward-stream-records';
export * from './sweep-request-queue';
