import { AwsClients, AwsStorageEnvSchema, clientOptionsOf, LogLevelSchema, openAwsStorage, storageLocationOf } from '@cargohold/platform-aws';
import { createRegistry, DEFAULT_GC_GRACE_MS, type GarbageCollectorPorts } from '@cargohold/registry-core';
import * as z from 'zod';

/** The gc function's configuration (serverless.yml sets it): storage and the grace period; no queue, bus or keys. */
export const GcEnvSchema = AwsStorageEnvSchema.extend({
  LOG_LEVEL: LogLevelSchema,
  /**
   * Blobs and links younger than this are never collected, and multipart uploads younger than this never
   * aborted. Values down to 0 are accepted (the collector stays safe; README "Garbage collection"), but
   * one not longer than an upload session is logged as a warning: racing pushes may fail and retry.
   */
  GC_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_GC_GRACE_MS / 1000),
});
export type GcEnv = z.infer<typeof GcEnvSchema>;

export interface GcDeps {
  readonly ports: GarbageCollectorPorts;
  readonly graceMs: number;
  /** How long an upload session may idle (the registry's limit): grace should exceed it. */
  readonly uploadIdleTimeoutMs: number;
}

/**
 * The collector's ports over S3 + DynamoDB, built once per container: marking reads the table, the bucket
 * listing only proposes candidates; upload sessions expire through the core (UploadService.purgeIdle) and
 * incomplete multipart uploads are aborted by the S3 adapter.
 */
export function awsGcDeps(env: GcEnv): GcDeps {
  const clients = new AwsClients(clientOptionsOf(process.env, env));
  const storage = openAwsStorage(clients, storageLocationOf(env));
  const registry = createRegistry({ storage });
  return {
    ports: {
      blobs: storage.blobs,
      inventory: storage.blobs,
      reclaim: storage.reclaim,
      links: storage.links,
      multipart: storage.multipart,
      sessions: { expireIdle: () => registry.uploads.purgeIdle() },
    },
    graceMs: env.GC_GRACE_SECONDS * 1000,
    uploadIdleTimeoutMs: registry.limits.uploadIdleTimeoutMs,
  };
}
