import { AwsClients, AwsStorageEnvSchema, clientOptionsOf, LogLevelSchema, openAwsStorage, storageLocationOf, type AwsStorage } from '@cargohold/platform-aws';
import { createRegistry, Replicator, systemClock, VerifiedBlobStore, type ReplicaRegistry } from '@cargohold/registry-core';
import { parseRegistryKey } from '@cargohold/oci';
import { z } from 'zod';

/**
 * The function's configuration (serverless.yml): its own region's storage, plus the metadata tables of
 * the other regions' stacks it replicates into. Stacks find each other by name: every stage deploys
 * `cargohold-<stage>` per region, and REPLICA_TABLES names the other regions' tables (a JSON object,
 * region → table; serverless.yml fills it from the `replicaTables` parameter). A region not listed is
 * served by this stack's own table, as one deployment serves any (account, region) its hosts name.
 */
const RegionTables = z.record(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/), z.string().min(3));

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const ReplicatorEnvSchema = AwsStorageEnvSchema.extend({
  LOG_LEVEL: LogLevelSchema,
  REPLICA_TABLES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      const parsed = RegionTables.safeParse(jsonOrUndefined(text || '{}'));
      if (!parsed.success) ctx.addIssue({ code: 'custom', message: 'REPLICA_TABLES must be a JSON object of region → table name' });
      return parsed.success ? parsed.data : {};
    }),
});
export type ReplicatorEnv = z.infer<typeof ReplicatorEnvSchema>;

/**
 * The core's Replicator over the AWS storage of each region, built once per container. Every stack shares
 * the blob bucket (blobs are content-addressed per deployment), so a replica's blobs only need linking;
 * per-region buckets would plug an S3 CopyObject copier in as the Replicator's BlobCopier. Statuses and
 * their `image.replicated` events are written in the source's table; its stream carries them to the bus.
 */
export function awsReplicator(env: ReplicatorEnv): Replicator {
  const home = clientOptionsOf(process.env, env);
  const location = storageLocationOf(env);
  const bundles = new Map<string, ReplicaRegistry>();
  const bundleOf = (region: string): ReplicaRegistry => {
    const table = env.REPLICA_TABLES[region];
    const key = table === undefined ? 'home' : region;
    let bundle = bundles.get(key);
    if (!bundle) {
      const clients = new AwsClients(table === undefined ? home : { ...home, region });
      bundle = replicaOf(openAwsStorage(clients, table === undefined ? location : { ...location, table }));
      bundles.set(key, bundle);
    }
    return bundle;
  };
  const statuses = openAwsStorage(new AwsClients(home), location).replications;
  return new Replicator({ registries: (registry) => bundleOf(parseRegistryKey(registry).region), statuses, clock: systemClock });
}

function replicaOf(storage: AwsStorage): ReplicaRegistry {
  const registry = createRegistry({ storage, templates: storage.templates, replicationStatuses: storage.replications });
  return { ...storage, blobs: new VerifiedBlobStore(storage.blobs), templates: registry.templates, manifestService: registry.manifests };
}
