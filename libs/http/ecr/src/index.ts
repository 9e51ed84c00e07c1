export * from './ecr-api';
export type { ActionServices } from './action';
export { AwsError } from './aws-errors';
export { sigV4Authenticator } from './sigv4-authenticator';
export type { PullThroughCacheAdmin } from './pull-through-admin';
