export * from './upload-service';
export { VerifyingWriter, type LastChunk } from './verifying-writer';
export type { BodyLimits } from './metered-body';
