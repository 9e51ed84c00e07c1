/**
 * Registry-wide (per account and region) configuration, as one document per registry: the registry
 * policy (stored byte-for-byte) and account settings such as BLOB_MOUNTING. Later features add fields
 * to the document; adapters store it whole, so they need no migration for that.
 */
export interface RegistrySettings {
  readonly policyText?: string;
  /** ECR account settings by name, e.g. `BLOB_MOUNTING` → `ENABLED` | `DISABLED`. */
  readonly accountSettings: Readonly<Record<string, string>>;
  /** PutRegistryScanningConfiguration's document; absent means BASIC with no rules. */
  readonly scanningConfiguration?: RegistryScanningConfiguration;
  /** RegisterPullTimeUpdateExclusion's principals (at most 100), whose pulls leave pull times alone. */
  readonly pullTimeUpdateExclusions?: readonly PullTimeUpdateExclusion[];
  /** CreatePullThroughCacheRule's rules (ECR allows 50 per registry), in creation order. */
  readonly pullThroughCacheRules?: readonly PullThroughCacheRuleRecord[];
  /** PutReplicationConfiguration's document; absent means no rules. */
  readonly replicationConfiguration?: ReplicationConfiguration;
  /** StartReplicationBackfill's runs, newest first (a bounded history). */
  readonly replicationBackfills?: readonly ReplicationBackfill[];
}

/** CreatePullThroughCacheRule's fields, as the rule admin takes them (the ECR action and its implementation alike). */
export interface PullThroughRuleInput {
  readonly ecrRepositoryPrefix: string;
  readonly upstreamRegistryUrl: string;
  readonly upstreamRegistry?: string | undefined;
  readonly credentialArn?: string | undefined;
  readonly customRoleArn?: string | undefined;
  readonly upstreamRepositoryPrefix?: string | undefined;
}

/**
 * A pull-through cache rule as stored: repositories named `<ecrRepositoryPrefix>/<rest>` (or any name,
 * for `ROOT`) are filled from `<upstreamRegistryUrl>/<upstreamRepositoryPrefix>/<rest>`.
 */
export interface PullThroughCacheRuleRecord {
  /** Without a trailing slash; `ROOT` for the rule that covers every name no other rule covers. */
  readonly ecrRepositoryPrefix: string;
  /** `host[:port]`, as ECR takes it (no scheme). */
  readonly upstreamRegistryUrl: string;
  /** ECR's UpstreamRegistry value; absent for an OCI registry ECR does not name (cargohold's extension). */
  readonly upstreamRegistry?: string;
  readonly credentialArn?: string;
  readonly customRoleArn?: string;
  /** Without a trailing slash; `ROOT` (the default) maps `<rest>` to itself. */
  readonly upstreamRepositoryPrefix: string;
  /** ISO 8601: the document is stored as JSON. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ReplicationBackfillStatus = 'PREPARING' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'STOPPING' | 'STOPPED';

export interface ReplicationBackfillResult {
  readonly repositoryName: string;
  readonly imageDigest: string;
  readonly status: 'COMPLETE' | 'FAILED';
  readonly failureCode?: string;
}

/** One backfill of one destination: what ECR's ReplicationBackfillSummary and its results show. */
export interface ReplicationBackfill {
  readonly id: string;
  readonly destination: ReplicationDestination;
  readonly status: ReplicationBackfillStatus;
  readonly failureCode?: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly progress: { readonly total: number; readonly completed: number; readonly failed: number; readonly failureCodes: readonly string[] };
  /** Per image, the first ones only (the document stays small); `progress` counts them all. */
  readonly results: readonly ReplicationBackfillResult[];
}

/** ECR's PREFIX_MATCH; the others are cargohold extensions (repository prefix excluded, tag wildcard). */
export type ReplicationFilterType = 'PREFIX_MATCH' | 'PREFIX_NOT_MATCH' | 'TAG_PREFIX_MATCH';

export interface ReplicationDestination {
  readonly region: string;
  /** The destination account id. */
  readonly registryId: string;
}

export interface ReplicationRule {
  readonly destinations: readonly ReplicationDestination[];
  readonly repositoryFilters?: readonly { readonly filter: string; readonly filterType: ReplicationFilterType }[];
  /** CloudFormation's DeleteReplication: deletes in the source are replicated too (off by default). */
  readonly deleteReplication?: { readonly enabled: boolean };
}

export interface ReplicationConfiguration {
  readonly rules: readonly ReplicationRule[];
}

export interface PullTimeUpdateExclusion {
  readonly principalArn: string;
  /** ISO 8601: the document is stored as JSON. */
  readonly createdAt: string;
}

export interface RegistryScanningRule {
  readonly scanFrequency: 'SCAN_ON_PUSH' | 'CONTINUOUS_SCAN' | 'MANUAL';
  readonly repositoryFilters: readonly { readonly filter: string; readonly filterType: 'WILDCARD' }[];
}

export interface RegistryScanningConfiguration {
  readonly scanType: 'BASIC' | 'ENHANCED';
  readonly rules: readonly RegistryScanningRule[];
}

export const DEFAULT_REGISTRY_SETTINGS: RegistrySettings = { accountSettings: {} };

/**
 * Contract: `get` answers DEFAULT_REGISTRY_SETTINGS for a registry never written; `update` applies
 * `mutate` atomically (no lost update) and stores the result whole; `mutate` may throw to abort.
 */
export interface RegistrySettingsStore {
  get(registry: string): Promise<RegistrySettings>;
  update(registry: string, mutate: (current: RegistrySettings) => RegistrySettings): Promise<RegistrySettings>;
}
