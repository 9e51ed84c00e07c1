// Test harnesses: `@cargohold/storage-dynamodb/testing`, for specs and tools only (lint keeps production code out).
export { startDynamoDbLocal, type DynamoDbLocal, type DynamoDbLocalOptions } from './dynamodb-local';
export { intercept, type Request } from './intercept';
