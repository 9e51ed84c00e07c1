// Test harnesses: `@cargohold/events-aws/testing`, for specs and tools only (lint keeps production code out).
export * from './local-sqs';
export * from './stream-events';
