import { defaultIdentityConfig, IdentityConfigSchema, MIN_TOKEN_KEY_BYTES, type IdentityConfig } from '@cargohold/auth';
import { formatRegistryKey } from '@cargohold/oci';
import { z } from 'zod';
import { LAMBDA_PAYLOAD_BYTES } from './api-gateway';

/** Headers, JSON framing and the request context of an API Gateway event, next to the body. */
const EVENT_OVERHEAD_BYTES = 64 * 1024;

/**
 * The largest raw request body a Lambda behind an HTTP API can receive: API Gateway base64-encodes
 * binary bodies (4/3 growth) into an event capped at 6 MB, so about 4.6 MB of bytes fit.
 */
export const MAX_LAMBDA_REQUEST_BYTES = Math.floor(((LAMBDA_PAYLOAD_BYTES - EVENT_OVERHEAD_BYTES) * 3) / 4);

/** Chunk size uploads are asked for on Lambda: under the cap above (S3 adapters cut their own parts). */
export const LAMBDA_CHUNK_MIN_LENGTH = 4 * 1024 * 1024;

const positiveInt = z.coerce.number().int().positive();

const DeploymentEnvSchema = z.object({
  BUCKET: z.string().min(3),
  BUCKET_PREFIX: z.string().optional(),
  TABLE: z.string().min(3),
  /**
   * The token-signing key, base64 (≥ 32 bytes). Production path: a SecureString SSM parameter read at
   * cold start (serverless.yml resolves it into this variable until an SSM client is wired in).
   */
  TOKEN_KEY_BASE64: z.string().min(1),
  REGISTRY_ACCOUNT_ID: z.string().regex(/^\d{12}$/).default('000000000000'),
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).default('us-east-1'),
  /** Domain of `<account>.dkr.ecr.<region>.<domain>` hosts (the API's custom domain). */
  REGISTRY_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/).default('localhost'),
  /** IAM-lite identities as JSON (the config file's `identities`); required unless the default is allowed. */
  IDENTITIES_JSON: z.string().optional(),
  /** `true` lets a deployment without IDENTITIES_JSON use the test/test admin (LocalStack stage only). */
  ALLOW_DEFAULT_IDENTITIES: z.enum(['true', 'false']).default('false'),
  MAX_REQUEST_BYTES: positiveInt.default(MAX_LAMBDA_REQUEST_BYTES),
  CHUNK_MIN_LENGTH: positiveInt.default(LAMBDA_CHUNK_MIN_LENGTH),
  BLOB_URL_TTL_SECONDS: positiveInt.max(3600).default(300),
  /** Path-style S3 URLs, for S3 emulators (LocalStack, s3rver); AWS itself uses virtual hosts. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** The SQS queue of internal events the scanner reads; StartImageScan sends its requests there. */
  WORKER_QUEUE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** What every cargohold function reads from its environment (set by serverless.yml). */
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
  readonly logLevel: string;
}

/** Parses the environment once per container; a misconfiguration fails the cold start loudly. */
export function readDeploymentEnv(env: NodeJS.ProcessEnv): DeploymentEnv {
  const parsed = DeploymentEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid function environment: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const tokenKey = Buffer.from(e.TOKEN_KEY_BASE64, 'base64');
  if (tokenKey.length < MIN_TOKEN_KEY_BYTES) throw new Error(`TOKEN_KEY_BASE64 must decode to at least ${MIN_TOKEN_KEY_BYTES} bytes`);
  return {
    bucket: e.BUCKET,
    ...(e.BUCKET_PREFIX ? { bucketPrefix: e.BUCKET_PREFIX } : {}),
    table: e.TABLE,
    tokenKey,
    accountId: e.REGISTRY_ACCOUNT_ID,
    region: e.AWS_REGION,
    registryId: formatRegistryKey({ account: e.REGISTRY_ACCOUNT_ID, region: e.AWS_REGION }),
    registryDomain: e.REGISTRY_DOMAIN,
    identities: identitiesFrom(e.IDENTITIES_JSON, e.ALLOW_DEFAULT_IDENTITIES === 'true'),
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    chunkMinLength: Math.min(e.CHUNK_MIN_LENGTH, e.MAX_REQUEST_BYTES),
    blobUrlTtlSeconds: e.BLOB_URL_TTL_SECONDS,
    s3ForcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    ...(e.WORKER_QUEUE_URL ? { workerQueueUrl: e.WORKER_QUEUE_URL } : {}),
    logLevel: e.LOG_LEVEL,
  };
}

function identitiesFrom(json: string | undefined, allowDefault: boolean): IdentityConfig {
  if (json === undefined) {
    if (allowDefault) return defaultIdentityConfig();
    throw new Error('IDENTITIES_JSON is required (ALLOW_DEFAULT_IDENTITIES=true allows the test/test admin)');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('IDENTITIES_JSON is not valid JSON');
  }
  const parsed = IdentityConfigSchema.safeParse(value);
  if (!parsed.success) throw new Error(`IDENTITIES_JSON is invalid: ${z.prettifyError(parsed.error)}`);
  return value as IdentityConfig;
}
