export * from './errors';
export type * from './upstream-client';
export { createUpstreamClient } from './create-upstream-client';
