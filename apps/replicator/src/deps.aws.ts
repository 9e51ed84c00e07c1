import {
  AwsClients,
  AwsStorageEnvSchema,
  clientOptionsOf,
  LogLevelSchema,
  openAwsStorage,
  s3Client,
  storageLocationOf,
  type AwsStorage,
  type AwsStorageLocation,
} from '@cargohold/platform-aws';
import { createRegistry, Replicator, SHARED_BLOB_STORE, systemClock, VerifiedBlobStore, type BlobCopier, type ReplicaRegistry } from '@cargohold/registry-core';
import { parseRegistryKey } from '@cargohold/oci';
import { S3BlobCopier } from '@cargohold/storage-s3';
import * as z from 'zod';

/** Another region's stack: its table, and its bucket when it has its own (else this stack's is shared). */
const ReplicaStackObject = z.object({ table: z.string().min(3), bucket: z.string().min(3).optional(), bucketPrefix: z.string().optional() }).strict();
const ReplicaStack = z.union([
  z
    .string()
    .min(3)
    .transform((table) => ({ table })),
  ReplicaStackObject,
]);
const RegionStacks = z.record(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/), ReplicaStack);

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The function's configuration (serverless.yml): its own region's storage, plus the other regions' stacks
 * it replicates into. Stacks find each other by name: every stage deploys `cargohold-<stage>` per region,
 * and REPLICA_TABLES names the other regions' tables and buckets (a JSON object, region → table or
 * {table, bucket, bucketPrefix}; serverless.yml fills it from the `replicaTables` parameter). A region not
 * listed is served by this stack, as one deployment serves any (account, region) its hosts name.
 */
export const ReplicatorEnvSchema = AwsStorageEnvSchema.extend({
  LOG_LEVEL: LogLevelSchema,
  REPLICA_TABLES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      const parsed = RegionStacks.safeParse(jsonOrUndefined(text || '{}'));
      if (!parsed.success) ctx.addIssue({ code: 'custom', message: 'REPLICA_TABLES must be a JSON object of region → table name or {table, bucket}' });
      return parsed.success ? parsed.data : {};
    }),
  /** This function's own queue: a replication backfill that nears the timeout continues there (resources/replicator.yml). */
  REPLICATOR_QUEUE_URL: z.string().url().optional(),
});
export type ReplicatorEnv = z.infer<typeof ReplicatorEnvSchema>;

interface Stack {
  readonly replica: ReplicaRegistry;
  readonly location: AwsStorageLocation;
  readonly clients: AwsClients;
}

/**
 * The core's Replicator over the AWS storage of each region, built once per container. Statuses and their
 * `image.replicated` events are written in this stack's table; its stream carries them to the bus. A
 * destination stack with its own bucket gets each missing blob by a server-side S3 copy from this stack's
 * bucket (CopyObject / UploadPartCopy, requested in the destination's region); one sharing the bucket only
 * needs the blob linked.
 */
export function awsReplicator(env: ReplicatorEnv): Replicator {
  const homeOptions = clientOptionsOf(process.env, env);
  const home = storageLocationOf(env);
  const stacks = new Map<string, Stack>();
  const stackOf = (region: string): Stack => {
    const listed: z.infer<typeof ReplicaStackObject> | undefined = env.REPLICA_TABLES[region];
    const key = listed === undefined ? 'home' : region;
    let stack = stacks.get(key);
    if (!stack) {
      const clients = new AwsClients(listed === undefined ? homeOptions : { ...homeOptions, region });
      const location: AwsStorageLocation =
        listed === undefined
          ? home
          : listed.bucket === undefined
            ? { ...home, table: listed.table }
            : { bucket: listed.bucket, table: listed.table, ...(listed.bucketPrefix ? { bucketPrefix: listed.bucketPrefix } : {}) };
      stack = { replica: replicaOf(openAwsStorage(clients, location)), location, clients };
      stacks.set(key, stack);
    }
    return stack;
  };
  const byReplica = (to: ReplicaRegistry) => [...stacks.values()].find((stack) => stack.replica === to);
  const copier: BlobCopier = {
    async copy(digest, size, to) {
      const stack = byReplica(to);
      if (!stack || (stack.location.bucket === home.bucket && stack.location.bucketPrefix === home.bucketPrefix))
        return SHARED_BLOB_STORE.copy(digest, size, to);
      const there = await to.blobs.stat(digest);
      if (there.found && there.size === size) return;
      const from = { bucket: home.bucket, ...(home.bucketPrefix ? { prefix: home.bucketPrefix } : {}) };
      const into = { bucket: stack.location.bucket, ...(stack.location.bucketPrefix ? { prefix: stack.location.bucketPrefix } : {}) };
      await new S3BlobCopier(s3Client(stack.clients)).copy(digest, size, from, into);
    },
  };
  const statuses = openAwsStorage(new AwsClients(homeOptions), home).replications;
  return new Replicator({ registries: (registry) => stackOf(parseRegistryKey(registry).region).replica, statuses, copier, clock: systemClock });
}

function replicaOf(storage: AwsStorage): ReplicaRegistry {
  const registry = createRegistry({ storage, templates: storage.templates, replicationStatuses: storage.replications });
  return { ...storage, blobs: new VerifiedBlobStore(storage.blobs), templates: registry.templates, manifestService: registry.manifests };
}
