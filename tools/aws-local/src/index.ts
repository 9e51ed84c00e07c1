// aws:local's pieces, for tools that compose them (the CLI is main.ts; specs use ./testing).
export { runAwsLocal, type AwsLocal, type AwsLocalOptions } from './aws-local';
export { HTTP_API_PAYLOAD_BYTES, INTEGRATION_TIMEOUT_MS, LAMBDA_INVOKE_PAYLOAD_BYTES } from './http-api';
export { ACCOUNT_ID, BUCKET, REGION, TABLE } from './topology';
