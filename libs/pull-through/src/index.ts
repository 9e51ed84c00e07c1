export * from './errors';
export * from './rules';
export * from './credentials';
export * from './ecr-tokens';
export * from './rule-admin';
export * from './cache-syncer';
export * from './cache-requests';
export { MANIFEST_ACCEPT } from './image-import';
export * from './scheduled-refresh';
