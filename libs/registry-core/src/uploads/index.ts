export * from './upload-service';
export { VerifyingWriter, type Chunk } from './verifying-writer';
export type { BodyLimits } from './metered-body';
export { putVerified } from './verified-put';
