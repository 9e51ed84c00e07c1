// Test harnesses: `@cargohold/storage-s3/testing`, for specs and tools only (lint keeps production code out).
export { startS3rver, type S3rverHandle, type S3rverOptions } from './s3rver';
