// Test harnesses: `@cargohold/storage-dynamodb/testing`, for specs and tools only (lint keeps production code out).
export { startDynalite, type Dynalite } from './dynalite';
export { intercept, type Request } from './intercept';
