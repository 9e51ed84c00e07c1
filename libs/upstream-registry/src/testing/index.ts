// Test harnesses: `@cargohold/upstream-registry/testing`, for specs and tools only (lint keeps production code out).
export { startUpstreamRegistry, type UpstreamRegistryHandle, type UpstreamRegistryOptions, type UpstreamAuthMode } from './upstream-registry';
export { type TestImage, type PushedImage, type PushedIndex } from './test-images';
