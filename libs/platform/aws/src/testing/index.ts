// Test harnesses: `@cargohold/platform-aws/testing`, for specs and tools only (lint keeps production code out).
export { emulatorEnvironment, isolatedEmulatorEnv } from './emulator-env';
export { countSdkCalls, type SdkCallCounter } from './sdk-call-counter';
