import { join } from 'node:path';

/**
 * The resources and functions of serverless.yml (and tools/serverless/resources/*.yml) for the `local`
 * stage, as this machine runs them. Names follow the templates (`cargohold-${sls:stage}…`); the bucket,
 * whose name CloudFormation generates, gets a fixed one. When serverless.yml changes, this file follows.
 */
export const STAGE = 'local';
export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';

export const BUCKET = `cargohold-${STAGE}-blobs`;
export const TABLE = `cargohold-${STAGE}`;

/**
 * Another region's stack (`--replica-region`): its own table and bucket on the same emulators, named
 * apart since the emulators share one namespace across regions, and its own API functions.
 */
export interface ReplicaStack {
  readonly region: string;
  readonly table: string;
  readonly bucket: string;
}

export function replicaStack(region: string): ReplicaStack {
  return { region, table: `cargohold-${STAGE}-${region}`, bucket: `cargohold-${STAGE}-${region}-blobs` };
}
export const EVENT_BUS = `cargohold-${STAGE}`;
/** params.default.eventSource */
export const EVENT_SOURCE = 'cargohold.ecr';

/** The queues of events.yml, stream-forwarder.yml, replicator.yml and cache-syncer.yml, with their redrive policies. */
export const QUEUES = {
  workerDlq: { name: `cargohold-${STAGE}-worker-dlq` },
  worker: { name: `cargohold-${STAGE}-worker`, visibilityTimeoutSeconds: 5400, deadLetters: 'workerDlq', maxReceiveCount: 5 },
  streamDlq: { name: `cargohold-${STAGE}-stream-dlq` },
  ecrEventsDlq: { name: `cargohold-${STAGE}-ecr-events-dlq` },
  ecrEvents: { name: `cargohold-${STAGE}-ecr-events`, visibilityTimeoutSeconds: 5400, deadLetters: 'ecrEventsDlq', maxReceiveCount: 5 },
  lifecycleSweepDlq: { name: `cargohold-${STAGE}-lifecycle-sweep-dlq` },
  lifecycleSweep: { name: `cargohold-${STAGE}-lifecycle-sweep`, visibilityTimeoutSeconds: 5400, deadLetters: 'lifecycleSweepDlq', maxReceiveCount: 5 },
  replicatorDlq: { name: `cargohold-${STAGE}-replicator-dlq` },
  replicator: { name: `cargohold-${STAGE}-replicator`, visibilityTimeoutSeconds: 1800, deadLetters: 'replicatorDlq', maxReceiveCount: 5 },
  cacheSyncerDlq: { name: `cargohold-${STAGE}-cache-syncer-dlq` },
  cacheSyncer: { name: `cargohold-${STAGE}-cache-syncer`, visibilityTimeoutSeconds: 5400, deadLetters: 'cacheSyncerDlq', maxReceiveCount: 5 },
} as const;
export type QueueKey = keyof typeof QUEUES;

/** The EcrEventsRule's pattern (events.yml): ECR-shaped events to the subscriber queue. */
export const ECR_EVENTS_RULE = { source: EVENT_SOURCE, detailTypes: ['ECR Image Action', 'ECR Image Scan', 'ECR Pull Through Cache Action'] } as const;

export type FunctionName =
  'distribution-api' | 'ecr-api' | 'purge' | 'stream-forwarder' | 'scanner' | 'lifecycle-schedule' | 'lifecycle-sweeper' | 'gc' | 'replicator' | 'cache-syncer';

export interface FunctionSpec {
  readonly name: FunctionName;
  /** serverless.yml `handler`: `<path without .ts>.<export>` */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

export const FUNCTIONS: Readonly<Record<FunctionName, FunctionSpec>> = {
  'distribution-api': { name: 'distribution-api', handler: 'apps/distribution-api/src/main.lambda.handler', timeoutSeconds: 29, memorySize: 1024 },
  'ecr-api': { name: 'ecr-api', handler: 'apps/ecr-api/src/main.lambda.handler', timeoutSeconds: 29, memorySize: 512 },
  purge: { name: 'purge', handler: 'apps/distribution-api/src/purge.lambda.handler', timeoutSeconds: 300, memorySize: 256 },
  'stream-forwarder': { name: 'stream-forwarder', handler: 'apps/stream-forwarder/src/main.lambda.handler', timeoutSeconds: 60, memorySize: 256 },
  scanner: { name: 'scanner', handler: 'apps/scanner/src/main.lambda.handler', timeoutSeconds: 900, memorySize: 1024 },
  'lifecycle-schedule': { name: 'lifecycle-schedule', handler: 'apps/lifecycle-sweeper/src/schedule.lambda.handler', timeoutSeconds: 300, memorySize: 256 },
  'lifecycle-sweeper': { name: 'lifecycle-sweeper', handler: 'apps/lifecycle-sweeper/src/worker.lambda.handler', timeoutSeconds: 900, memorySize: 512 },
  gc: { name: 'gc', handler: 'apps/lifecycle-sweeper/src/gc.lambda.handler', timeoutSeconds: 900, memorySize: 512 },
  replicator: { name: 'replicator', handler: 'apps/replicator/src/main.lambda.handler', timeoutSeconds: 300, memorySize: 1024 },
  'cache-syncer': { name: 'cache-syncer', handler: 'apps/distribution-api/src/cache-syncer.lambda.handler', timeoutSeconds: 900, memorySize: 1024 },
};

/** The stream event source's filterPatterns: only manifest, tag, scan and replication status items reach the forwarder. */
export const STREAM_KEY_PREFIXES = ['M#', 'T#', 'SCAN#', 'REPL#'] as const;
/** The stream and queue event sources' batch sizes and retry policy. */
export const STREAM_BATCH_SIZE = 100;
export const STREAM_MAX_RETRIES = 10;
export const WORKER_BATCH_SIZE = 5;
/** The cache-syncer takes one image per invocation. */
export const CACHE_SYNCER_BATCH_SIZE = 1;
/** purge: `rate(15 minutes)` */
export const PURGE_EVERY_MS = 15 * 60 * 1000;
/** lifecycle-schedule: `rate(1 day)`; the lifecycle-sweeper takes one request per invocation. */
export const LIFECYCLE_EVERY_MS = 24 * 60 * 60 * 1000;
export const LIFECYCLE_BATCH_SIZE = 1;
/** gc: `cron(0 3 * * ? *)`, here every 24 h from the start (the hour of day does not matter locally). */
export const GC_EVERY_MS = 24 * 60 * 60 * 1000;
/** params.default.gcGraceSeconds */
export const GC_GRACE_SECONDS = 86_400;

export interface Endpoints {
  readonly s3: string;
  readonly dynamodb: string;
  readonly sqs: string;
  readonly eventbridge: string;
}

export interface FunctionEnvInput {
  readonly endpoints: Endpoints;
  readonly queueUrls: Readonly<Record<QueueKey, string>>;
  readonly tokenKeyBase64: string;
  /** IAM-lite identities; undefined = the test/test admin, as the `local` stage allows. */
  readonly identitiesJson?: string;
  readonly uploadGatewayUrl?: string;
  /** GC_GRACE_SECONDS of the gc function; default GC_GRACE_SECONDS, as deployed. */
  readonly gcGraceSeconds?: number;
  /** Pull-through cache upstreams reached over http on loopback (CARGOHOLD_PULL_THROUGH_INSECURE_UPSTREAMS). */
  readonly pullThroughInsecureUpstreams?: string;
  readonly logLevel: string;
  /** The other region's stack the replicator writes into (serverless.yml's `replicaTables` parameter). */
  readonly replica?: ReplicaStack;
  /** Run as that region's stack instead (its API functions): its region, table and bucket. */
  readonly asReplica?: boolean;
}

/**
 * Each function's environment: what serverless.yml's custom.*Environment gives it on the `local` stage,
 * plus what the Lambda runtime sets (region, function name, memory) and the SDK variables that point
 * every client at the emulators (the one thing a deployment does not need).
 */
export function functionEnv(spec: FunctionSpec, input: FunctionEnvInput): Record<string, string> {
  const { endpoints } = input;
  const here = input.asReplica && input.replica ? input.replica : { region: REGION, table: TABLE, bucket: BUCKET };
  const runtime = {
    AWS_REGION: here.region,
    AWS_DEFAULT_REGION: here.region,
    AWS_LAMBDA_FUNCTION_NAME: `cargohold-${STAGE}-${spec.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true',
    // s3rver speaks only the classic protocol: checksums only where an operation requires them.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    // provider.environment
    NODE_OPTIONS: '--enable-source-maps',
  };
  const storage = { BUCKET: here.bucket, TABLE: here.table, LOG_LEVEL: input.logLevel, S3_FORCE_PATH_STYLE: 'true' };
  switch (spec.name) {
    case 'distribution-api':
    case 'ecr-api':
    case 'cache-syncer':
      return {
        ...runtime,
        ...storage,
        REGISTRY_ACCOUNT_ID: ACCOUNT_ID,
        REGISTRY_DOMAIN: 'localhost',
        // The replica stack runs no workers here: its API queues neither sweeps nor backfills.
        ...(input.asReplica
          ? {}
          : {
              SWEEP_QUEUE_URL: input.queueUrls.lifecycleSweep,
              REPLICATOR_QUEUE_URL: input.queueUrls.replicator,
              CACHE_SYNC_QUEUE_URL: input.queueUrls.cacheSyncer,
            }),
        TOKEN_KEY_BASE64: input.tokenKeyBase64,
        ...(input.identitiesJson !== undefined ? { IDENTITIES_JSON: input.identitiesJson } : { ALLOW_DEFAULT_IDENTITIES: 'true' }),
        ...(spec.name === 'distribution-api' && input.uploadGatewayUrl !== undefined ? { UPLOAD_GATEWAY_URL: input.uploadGatewayUrl } : {}),
        // custom.apiEnvironment: pull-through cache events go straight to the bus.
        EVENT_BUS_NAME: EVENT_BUS,
        EVENT_SOURCE,
        ...(input.pullThroughInsecureUpstreams ? { PULL_THROUGH_INSECURE_UPSTREAMS: input.pullThroughInsecureUpstreams } : {}),
      };
    case 'purge':
    case 'scanner':
      return { ...runtime, ...storage };
    case 'lifecycle-schedule':
    case 'lifecycle-sweeper':
      return { ...runtime, ...storage, SWEEP_QUEUE_URL: input.queueUrls.lifecycleSweep };
    case 'gc':
      return { ...runtime, ...storage, GC_GRACE_SECONDS: String(input.gcGraceSeconds ?? GC_GRACE_SECONDS) };
    case 'replicator': {
      // Without a replica stack every destination registry is served by this table and bucket.
      const replicaTables = input.replica ? { [input.replica.region]: { table: input.replica.table, bucket: input.replica.bucket } } : {};
      return { ...runtime, ...storage, REPLICA_TABLES: JSON.stringify(replicaTables), REPLICATOR_QUEUE_URL: input.queueUrls.replicator };
    }
    case 'stream-forwarder':
      return {
        ...runtime,
        EVENT_BUS_NAME: EVENT_BUS,
        EVENT_SOURCE,
        WORKER_QUEUE_URL: input.queueUrls.worker,
        REPLICATOR_QUEUE_URL: input.queueUrls.replicator,
        LOG_LEVEL: input.logLevel,
      };
  }
}

/** Where each piece keeps its state under --data-dir. */
export function dataLayout(dataDir: string) {
  return {
    s3: join(dataDir, 's3'),
    dynamodb: join(dataDir, 'dynamodb'),
    gateway: join(dataDir, 'gateway'),
    bundles: join(dataDir, '.bundles'),
    logs: join(dataDir, 'logs'),
    events: join(dataDir, 'events.jsonl'),
    tokenKey: join(dataDir, 'token-key'),
    streamCheckpoints: join(dataDir, 'stream-checkpoints.json'),
  };
}
export type DataLayout = ReturnType<typeof dataLayout>;
