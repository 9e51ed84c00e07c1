import * as z from 'zod';
import type { AwsClientOptions } from './aws-clients';
import type { AwsStorageLocation } from './aws-storage';
import { resolveRegion } from './region';

/**
 * The pieces of a function's environment (serverless.yml sets them) that say where its AWS resources
 * are; each function's schema is built from the pieces it needs, so a variable means the same thing in
 * every function and is documented once.
 */

export const LogLevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info');

/** Where blobs and metadata live. */
export const AwsStorageEnvSchema = z.object({
  BUCKET: z.string().min(3),
  /** Key prefix inside the bucket (e.g. one per deployment stage). */
  BUCKET_PREFIX: z.string().optional(),
  TABLE: z.string().min(3),
  /** Path-style S3 URLs, for S3 emulators (LocalStack, s3rver); AWS itself uses virtual hosts. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
});
export type AwsStorageEnv = z.infer<typeof AwsStorageEnvSchema>;

/** The EventBridge bus that receives ECR-shaped events. */
export const EventBusEnvSchema = z.object({
  EVENT_BUS_NAME: z.string().min(1),
  /** Source of the ECR-shaped events on the bus (EventBridge refuses `aws.*` from customers). */
  EVENT_SOURCE: z.string().min(1).optional(),
});
export type EventBusEnv = z.infer<typeof EventBusEnvSchema>;

/** Parses a function's environment once per container; a misconfiguration fails the cold start and names the variable. */
export function parseFunctionEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid function environment: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function storageLocationOf(env: AwsStorageEnv): AwsStorageLocation {
  return { bucket: env.BUCKET, table: env.TABLE, ...(env.BUCKET_PREFIX ? { bucketPrefix: env.BUCKET_PREFIX } : {}) };
}

/** Client options of a function: the region as `resolveRegion` finds it, path-style S3 if asked for. */
export function clientOptionsOf(env: NodeJS.ProcessEnv, storage?: Pick<AwsStorageEnv, 'S3_FORCE_PATH_STYLE'>): AwsClientOptions {
  const region = resolveRegion(env);
  return { ...(region ? { region } : {}), s3ForcePathStyle: storage?.S3_FORCE_PATH_STYLE === 'true' };
}
