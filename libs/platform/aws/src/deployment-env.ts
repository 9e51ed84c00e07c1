import { defaultIdentityConfig, MIN_TOKEN_KEY_BYTES, parseIdentityConfigJson, type IdentityConfig } from '@cargohold/auth';
import { LAMBDA_CHUNK_MIN_LENGTH, MAX_LAMBDA_REQUEST_BYTES } from '@cargohold/lambda-kit';
import { formatRegistryKey } from '@cargohold/oci';
import * as z from 'zod';
import { AwsStorageEnvSchema, LogLevelSchema, parseFunctionEnv } from './function-env';
import { resolveRegion } from './region';

const positiveInt = z.coerce.number().int().positive();

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The HTTP API functions' environment: their storage, plus tokens, identities and request limits. */
const DeploymentEnvSchema = AwsStorageEnvSchema.extend({
  /**
   * The token-signing key, base64 (≥ 32 bytes). Production path: a SecureString SSM parameter read at
   * cold start (serverless.yml resolves it into this variable until an SSM client is wired in).
   */
  TOKEN_KEY_BASE64: z.string().min(1),
  REGISTRY_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/)
    .default('000000000000'),
  /** Domain of `<account>.dkr.ecr.<region>.<domain>` hosts (the API's custom domain). */
  REGISTRY_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/)
    .default('localhost'),
  /** IAM-lite identities as JSON (the config file's `identities`); required unless the default is allowed. */
  IDENTITIES_JSON: z.string().optional(),
  /** `true` lets a deployment without IDENTITIES_JSON use the test/test admin (LocalStack stage only). */
  ALLOW_DEFAULT_IDENTITIES: z.enum(['true', 'false']).default('false'),
  MAX_REQUEST_BYTES: positiveInt.default(MAX_LAMBDA_REQUEST_BYTES),
  CHUNK_MIN_LENGTH: positiveInt.default(LAMBDA_CHUNK_MIN_LENGTH),
  BLOB_URL_TTL_SECONDS: positiveInt.max(3600).default(300),
  /**
   * The upload gateway's origin (`https://uploads.example.com`): uploads started by the `/v2/` function
   * continue there, by capability, so no layer byte passes through Lambda. Absent: uploads stay here
   * (chunked, each request under the Lambda cap).
   */
  UPLOAD_GATEWAY_URL: z
    .string()
    .url()
    .regex(/^https?:\/\/[^/?#]+\/?$/, 'an origin: http(s)://host[:port], no path')
    .optional(),
  /** The SQS queue of internal events the scanner reads; StartImageScan sends its requests there. */
  WORKER_QUEUE_URL: z.string().url().optional(),
  /** The bus the /v2/ function publishes pull-through cache events on (`ECR Pull Through Cache Action`). */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENT_SOURCE: z.string().min(1).optional(),
  /** Pull-through cache: comma-separated `host[:port]` upstreams reached over http, loopback/private allowed. */
  PULL_THROUGH_INSECURE_UPSTREAMS: z.string().default(''),
  /** Pull-through cache: how often a pull re-checks a cached tag against its upstream (ECR: daily). */
  PULL_THROUGH_REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(86_400),
  /** The lifecycle sweeper's queue; PutLifecyclePolicy requests a sweep of its repository there. */
  SWEEP_QUEUE_URL: z.string().url().optional(),
  /** The replicator's queue; StartReplicationBackfill queues the backfill there for the replicator to run. */
  REPLICATOR_QUEUE_URL: z.string().url().optional(),
  /** The cache-syncer's queue; a pull the /v2/ function served uncached asks there for its image to be cached. */
  CACHE_SYNC_QUEUE_URL: z.string().url().optional(),
  LOG_LEVEL: LogLevelSchema,
});

/** What the HTTP API functions read from their environment (set by serverless.yml). */
export interface DeploymentEnv {
  readonly bucket: string;
  readonly bucketPrefix?: string;
  readonly table: string;
  readonly tokenKey: Buffer;
  readonly accountId: string;
  readonly region: string;
  /** `<account>:<region>`: the registry plain hosts address. */
  readonly registryId: string;
  readonly registryDomain: string;
  readonly identities: IdentityConfig;
  readonly maxRequestBytes: number;
  readonly chunkMinLength: number;
  readonly blobUrlTtlSeconds: number;
  readonly s3ForcePathStyle: boolean;
  readonly workerQueueUrl?: string;
  readonly sweepQueueUrl?: string;
  readonly replicatorQueueUrl?: string;
  readonly cacheSyncQueueUrl?: string;
  /** The upload gateway's origin, without a trailing slash. */
  readonly uploadGatewayUrl?: string;
  /** Where events a request causes without a table write (pull-through cache syncs) are published. */
  readonly eventBus?: { readonly name: string; readonly source?: string };
  readonly pullThrough: { readonly insecureUpstreams: readonly string[]; readonly refreshIntervalMs: number };
  readonly logLevel: string;
}

/** Parses the environment once per container; a misconfiguration fails the cold start loudly. */
export function readDeploymentEnv(env: NodeJS.ProcessEnv): DeploymentEnv {
  const e = parseFunctionEnv(DeploymentEnvSchema, env);
  // The registry's region is the function's: Lambda sets AWS_REGION; elsewhere the CLI's variable counts too.
  const region = resolveRegion(env) ?? 'us-east-1';
  if (!REGION.test(region)) throw new Error(`invalid function environment: AWS_REGION "${region}" is not a region name`);
  const tokenKey = Buffer.from(e.TOKEN_KEY_BASE64, 'base64');
  if (tokenKey.length < MIN_TOKEN_KEY_BYTES) throw new Error(`TOKEN_KEY_BASE64 must decode to at least ${MIN_TOKEN_KEY_BYTES} bytes`);
  return {
    bucket: e.BUCKET,
    ...(e.BUCKET_PREFIX ? { bucketPrefix: e.BUCKET_PREFIX } : {}),
    table: e.TABLE,
    tokenKey,
    accountId: e.REGISTRY_ACCOUNT_ID,
    region,
    registryId: formatRegistryKey({ account: e.REGISTRY_ACCOUNT_ID, region }),
    registryDomain: e.REGISTRY_DOMAIN,
    identities: identitiesFrom(e.IDENTITIES_JSON, e.ALLOW_DEFAULT_IDENTITIES === 'true'),
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    chunkMinLength: Math.min(e.CHUNK_MIN_LENGTH, e.MAX_REQUEST_BYTES),
    blobUrlTtlSeconds: e.BLOB_URL_TTL_SECONDS,
    s3ForcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    ...(e.WORKER_QUEUE_URL ? { workerQueueUrl: e.WORKER_QUEUE_URL } : {}),
    ...(e.SWEEP_QUEUE_URL ? { sweepQueueUrl: e.SWEEP_QUEUE_URL } : {}),
    ...(e.REPLICATOR_QUEUE_URL ? { replicatorQueueUrl: e.REPLICATOR_QUEUE_URL } : {}),
    ...(e.CACHE_SYNC_QUEUE_URL ? { cacheSyncQueueUrl: e.CACHE_SYNC_QUEUE_URL } : {}),
    ...(e.UPLOAD_GATEWAY_URL ? { uploadGatewayUrl: e.UPLOAD_GATEWAY_URL.replace(/\/+$/, '') } : {}),
    ...(e.EVENT_BUS_NAME ? { eventBus: { name: e.EVENT_BUS_NAME, ...(e.EVENT_SOURCE ? { source: e.EVENT_SOURCE } : {}) } } : {}),
    pullThrough: {
      insecureUpstreams: e.PULL_THROUGH_INSECURE_UPSTREAMS.split(',')
        .map((host) => host.trim())
        .filter((host) => host !== ''),
      refreshIntervalMs: e.PULL_THROUGH_REFRESH_INTERVAL_SECONDS * 1000,
    },
    logLevel: e.LOG_LEVEL,
  };
}

function identitiesFrom(json: string | undefined, allowDefault: boolean): IdentityConfig {
  if (json === undefined) {
    if (allowDefault) return defaultIdentityConfig();
    throw new Error('IDENTITIES_JSON is required (ALLOW_DEFAULT_IDENTITIES=true allows the test/test admin)');
  }
  return parseIdentityConfigJson(json, 'IDENTITIES_JSON');
}
