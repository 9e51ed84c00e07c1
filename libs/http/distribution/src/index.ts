export * from './distribution-api';
export type { BlobRedirects } from './route-table';
export { RequestTooLargeError, type RequestLimits } from './request-limits';
export * from './upload-locations';
export type { PullThroughHook } from './pull-through-hook';
export * from './blob-fills';
