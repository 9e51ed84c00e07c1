// Test harnesses: `@cargohold/upstream-registry/testing`, for specs and tools only (lint keeps production code out).
export { startUpstreamRegistry, type UpstreamRegistryHandle, type UpstreamRegistryOptions, type UpstreamAuthMode } from './upstream-registry';
export { describeWithUpstreamRegistry, dockerRegistryBinary } from './docker-registry-binary';
export { buildImage, buildIndex, blobOf, type TestImage, type PushedImage, type PushedIndex, type BuiltBlob } from './test-images';
export { startFakeUpstream, type FakeUpstream, type FakeRoute } from './fake-upstream';
export { installLoopbackTripwire } from './loopback-tripwire';
