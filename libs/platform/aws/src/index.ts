export { AwsClients, dynamoDbClient, eventBridgeClient, s3Client, sqsClient, type AwsClientOptions } from './aws-clients';
export { openAwsStorage, type AwsStorage, type AwsStorageLocation } from './aws-storage';
export { readDeploymentEnv, type DeploymentEnv } from './deployment-env';
export {
  AwsStorageEnvSchema,
  clientOptionsOf,
  EventBusEnvSchema,
  LogLevelSchema,
  parseFunctionEnv,
  storageLocationOf,
  type AwsStorageEnv,
  type EventBusEnv,
} from './function-env';
export { resolveRegion } from './region';
export { AwsStorageUnreachableError, checkAwsStorage, type StorageHints } from './storage-check';
export { bootstrapAwsStorage, type BootstrapStep } from './bootstrap';
export { SecretsManagerSecretStore, secretsManagerClient } from './secrets-manager-secret-store';
export { EcrUpstreamTokens, type EcrUpstreamTokensOptions } from './ecr-upstream-tokens';
export { RequestReads } from './request-reads';
