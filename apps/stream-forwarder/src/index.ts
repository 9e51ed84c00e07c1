export { forwardStreamRecords, type StreamForwarderDeps } from './forward-stream-records';
export { awsStreamForwarderDeps, StreamForwarderEnvSchema, type StreamForwarderEnv } from './deps.aws';
