// Test harnesses: `@cargohold/lambda-kit/testing`, for specs and tools only (lint keeps production code out).
export * from './aws-events';
