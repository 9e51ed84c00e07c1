import { SqsBackfillRequests, type BackfillRequest } from '@cargohold/events-aws';
import { AwsClients, clientOptionsOf, openAwsStorage, sqsClient, storageLocationOf } from '@cargohold/platform-aws';
import { NO_BACKFILL_RUNNER, ReplicationBackfills, runBackfillSlice, systemClock, type BackfillSlice, type Replicator } from '@cargohold/registry-core';
import type { ReplicatorEnv } from './deps.aws';

/**
 * Time a slice leaves for the image in hand when it stops starting new ones: the function's timeout is
 * 300 s (serverless.yml), and one image (server-side copies of its layers, the manifest, the statuses)
 * fits in the rest with room to send the continuation.
 */
export const BACKFILL_SLICE_MARGIN_MS = 120_000;

export interface BackfillWorker {
  /**
   * Runs a slice of the backfill; when it pauses, the rest goes back on the queue as a continuation.
   * Undefined for a backfill the registry no longer lists (its history keeps the newest 50): nothing to do.
   */
  run(request: BackfillRequest, remainingMs: () => number): Promise<BackfillSlice | undefined>;
}

/**
 * The AWS backfill runner's consuming half: StartReplicationBackfill (the ECR API function) records the
 * backfill in the registry's settings item and queues a request; this lists the registry's repositories
 * and images page by page and replicates each through the same Replicator as pushes, recording progress
 * and results on the backfill and honouring StopReplicationBackfill between images. Without a queue to
 * continue on (REPLICATOR_QUEUE_URL) a slice never pauses.
 */
export function awsBackfillWorker(env: ReplicatorEnv, replicator: Replicator): BackfillWorker {
  const clients = new AwsClients(clientOptionsOf(process.env, env));
  const storage = openAwsStorage(clients, storageLocationOf(env));
  // Only the records are touched here (change/get), never a runner: the no-op one is what the core wants.
  const backfills = new ReplicationBackfills(storage.registries, systemClock, NO_BACKFILL_RUNNER);
  const queue = env.REPLICATOR_QUEUE_URL ? new SqsBackfillRequests({ client: sqsClient(clients), queueUrl: env.REPLICATOR_QUEUE_URL }) : undefined;
  const deps = { registries: storage.registries, repositories: storage.repositories, manifests: storage.manifests, replicator, backfills, clock: systemClock };
  return {
    async run(request, remainingMs) {
      if (!(await backfills.list(request.registry)).some((backfill) => backfill.id === request.id)) return undefined;
      const slice = await runBackfillSlice(deps, request.registry, request.id, {
        ...(request.after ? { after: request.after } : {}),
        ...(queue ? { pause: () => remainingMs() < BACKFILL_SLICE_MARGIN_MS } : {}),
      });
      if (slice.resumeAfter && queue) await queue.send({ registry: request.registry, id: request.id, after: slice.resumeAfter });
      return slice;
    },
  };
}
