export * from './errors';
export type * from './upstream-client';
export { createUpstreamClient } from './create-upstream-client';
export { forbiddenAddressReason } from './address-guard';
export { isUpstreamRegistry, upstreamBaseUrl } from './registry-address';
export { guardedAgents, type GuardedAgents } from './guarded-agents';
