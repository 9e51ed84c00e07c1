import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  BlobLinkStore,
  BlobReclaimStore,
  LifecycleTargets,
  ManifestStore,
  RegistrySettingsStore,
  ReplicationStatusStore,
  RepositoryCreationTemplateStore,
  RepositoryStore,
  ScanStore,
  UploadSessionStore,
  VulnerabilityStore,
} from '@cargohold/storage-ports';
import { DynamoBlobLinkStore } from './dynamo-blob-link-store';
import { DynamoBlobReclaimStore } from './dynamo-blob-reclaim-store';
import { DynamoManifestStore } from './dynamo-manifest-store';
import { DynamoRegistrySettingsStore } from './dynamo-registry-settings-store';
import { DynamoRepositoryStore } from './dynamo-repository-store';
import { DynamoScanStore } from './dynamo-scan-store';
import { DynamoUploadSessionStore } from './dynamo-upload-session-store';
import { DynamoVulnerabilityStore } from './dynamo-vulnerability-store';
import { DynamoRepositoryCreationTemplateStore } from './dynamo-repository-creation-template-store';
import { DynamoLifecycleTargets } from './dynamo-lifecycle-targets';
import { DynamoReplicationStatusStore } from './dynamo-replication-status-store';
import { Table } from './table';

export { createTable, type CreateTableOptions } from './create-table';
export { DynamoBlobLinkStore } from './dynamo-blob-link-store';
export { DynamoBlobReclaimStore } from './dynamo-blob-reclaim-store';
export { backfillReferenceHints } from './reference-hints-backfill';
export { DynamoManifestStore } from './dynamo-manifest-store';
export { DynamoRegistrySettingsStore } from './dynamo-registry-settings-store';
export { DynamoRepositoryStore } from './dynamo-repository-store';
export { DynamoScanStore } from './dynamo-scan-store';
export { DynamoUploadSessionStore } from './dynamo-upload-session-store';
export { DynamoVulnerabilityStore } from './dynamo-vulnerability-store';
export { DynamoRepositoryCreationTemplateStore } from './dynamo-repository-creation-template-store';
export { DynamoLifecycleTargets } from './dynamo-lifecycle-targets';
export { DynamoReplicationStatusStore } from './dynamo-replication-status-store';
export {
  LeaseLostError,
  MetadataStoreError,
  MetadataThrottledError,
  MetadataUnavailableError,
  TransactionLimitError,
  UpdateContentionError,
  UploadSessionExistsError,
} from './errors';
export { INDEX, MAX_ITEM_BYTES, TABLE_DEFINITION, type TableDefinition } from './table-design';

export interface DynamoMetadataOptions {
  readonly client: DynamoDBClient;
  /** The table, created from TABLE_DEFINITION (serverless.yml on AWS, `createTable` in tests). */
  readonly table: string;
}

export interface DynamoMetadata {
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
  readonly sessions: UploadSessionStore;
  readonly registries: RegistrySettingsStore;
  readonly scans: ScanStore;
  readonly vulnerabilities: VulnerabilityStore;
  readonly templates: RepositoryCreationTemplateStore;
  readonly reclaim: BlobReclaimStore;
  readonly lifecycleTargets: LifecycleTargets;
  readonly replications: ReplicationStatusStore;
}

/** The metadata, scan and vulnerability ports over one DynamoDB table (single-table design: see table-design.ts). */
export function createDynamoMetadata({ client, table }: DynamoMetadataOptions): DynamoMetadata {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const t = new Table(doc, table);
  return {
    repositories: new DynamoRepositoryStore(t),
    manifests: new DynamoManifestStore(t),
    links: new DynamoBlobLinkStore(t),
    sessions: new DynamoUploadSessionStore(t),
    registries: new DynamoRegistrySettingsStore(t),
    scans: new DynamoScanStore(t),
    vulnerabilities: new DynamoVulnerabilityStore(t),
    templates: new DynamoRepositoryCreationTemplateStore(t),
    reclaim: new DynamoBlobReclaimStore(t),
    lifecycleTargets: new DynamoLifecycleTargets(t),
    replications: new DynamoReplicationStatusStore(t),
  };
}
