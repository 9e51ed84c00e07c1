export * from './replication-errors';
export * from './replication-rules';
export * from './replication-permission';
export * from './replication-service';
export * from './replica-registry';
export * from './replicator';
export * from './replication-backfills';
