import { SqsSweepRequests } from '@cargohold/events-aws';
import { AwsClients, AwsStorageEnvSchema, clientOptionsOf, LogLevelSchema, openAwsStorage, sqsClient, storageLocationOf } from '@cargohold/platform-aws';
import { createRegistry, type LifecycleSweeper } from '@cargohold/registry-core';
import type { LifecycleTargets } from '@cargohold/storage-ports';
import * as z from 'zod';

/** The functions' configuration (serverless.yml sets it): storage and the sweep queue; no bus, token key or identities. */
export const SweeperEnvSchema = AwsStorageEnvSchema.extend({
  LOG_LEVEL: LogLevelSchema,
  /** The queue of per-repository sweep requests (tools/serverless/resources/lifecycle-sweeper.yml). */
  SWEEP_QUEUE_URL: z.string().url(),
});
export type SweeperEnv = z.infer<typeof SweeperEnvSchema>;

export interface SweeperDeps {
  readonly sweeper: LifecycleSweeper;
  readonly targets: LifecycleTargets;
  readonly queue: SqsSweepRequests;
}

/**
 * The core's lifecycle sweeper over the AWS storage, built once per container. Expiry deletes manifests
 * through the core like BatchDeleteImage; the table stream turns those deletes into `image.deleted` and ECR's
 * `ECR Image Action` events (action-type EXPIRE, from the reason the delete recorded on the item).
 */
export function awsSweeperDeps(env: SweeperEnv): SweeperDeps {
  const clients = new AwsClients(clientOptionsOf(process.env, env));
  const storage = openAwsStorage(clients, storageLocationOf(env));
  const registry = createRegistry({ storage, scans: storage.scans, templates: storage.templates });
  return {
    sweeper: registry.lifecycleSweeper,
    targets: storage.lifecycleTargets,
    queue: new SqsSweepRequests({ client: sqsClient(clients), queueUrl: env.SWEEP_QUEUE_URL }),
  };
}
