import { randomUUID } from 'node:crypto';
import type { Digest } from '@cargohold/oci';
import type {
  ManifestStore,
  RegistrySettingsStore,
  ReplicationBackfill,
  ReplicationBackfillResult,
  ReplicationDestination,
  RepoRef,
  RepositoryStore,
} from '@cargohold/storage-ports';
import type { Clock } from '../config';
import { ReplicationValidationError } from './replication-errors';
import { destinationsFor } from './replication-rules';
import type { Replicator } from './replicator';

/** Backfills a registry keeps (newest first) and image results a backfill keeps: the document stays small. */
const MAX_BACKFILLS = 50;
const MAX_RESULTS = 1000;
/** ECR's rule: a backfill fails once half its replications failed, judged after at least 100. */
const FAILURE_JUDGED_AFTER = 100;
const RUNNING = new Set(['PREPARING', 'IN_PROGRESS']);

/**
 * Runs a recorded backfill off the request: the embedded workers, or on AWS a message on the replicator's
 * queue. The no-op twin refuses to start any.
 */
export interface BackfillRunner {
  readonly available: boolean;
  schedule(registry: string, id: string): void | Promise<void>;
}

export const NO_BACKFILL_RUNNER: BackfillRunner = { available: false, schedule: () => undefined };

const same = (a: ReplicationDestination, b: ReplicationDestination) => a.region === b.region && a.registryId === b.registryId;

/**
 * StartReplicationBackfill and friends: replicate images pushed before the rules, to one destination of
 * the current configuration. Records live in the registry's settings document; a runner does the work.
 */
export class ReplicationBackfills {
  constructor(
    private readonly registries: RegistrySettingsStore,
    private readonly clock: Clock,
    private readonly runner: BackfillRunner,
  ) {}

  async start(registry: string, destination: ReplicationDestination): Promise<ReplicationBackfill> {
    if (!this.runner.available) throw new ReplicationValidationError('Replication backfill is not available in this deployment');
    const backfill: ReplicationBackfill = {
      id: randomUUID(),
      destination: { region: destination.region, registryId: destination.registryId },
      status: 'PREPARING',
      startedAt: this.clock.now().toISOString(),
      progress: { total: 0, completed: 0, failed: 0, failureCodes: [] },
      results: [],
    };
    await this.registries.update(registry, (current) => {
      const rules = current.replicationConfiguration?.rules ?? [];
      if (!rules.some((rule) => rule.destinations.some((d) => same(d, destination)))) {
        throw new ReplicationValidationError(
          `The destination region '${destination.region}', registry '${destination.registryId}' is not in the registry's replication configuration`,
        );
      }
      return { ...current, replicationBackfills: [backfill, ...(current.replicationBackfills ?? [])].slice(0, MAX_BACKFILLS) };
    });
    try {
      await this.runner.schedule(registry, backfill.id);
    } catch (err) {
      // Never left PREPARING with no one to run it: the caller sees the error, the list a FAILED backfill.
      await this.change(registry, backfill.id, (b) => ({
        ...b,
        status: 'FAILED',
        failureCode: 'BACKFILL_NOT_SCHEDULED',
        endedAt: this.clock.now().toISOString(),
      }));
      throw err;
    }
    return backfill;
  }

  async stop(registry: string, id: string): Promise<ReplicationBackfill> {
    const stopped = await this.change(registry, id, (backfill) => {
      if (!RUNNING.has(backfill.status)) throw new ReplicationValidationError(`The replication backfill '${id}' is ${backfill.status} and cannot be stopped`);
      return { ...backfill, status: 'STOPPING' };
    });
    return stopped;
  }

  async list(registry: string): Promise<readonly ReplicationBackfill[]> {
    return (await this.registries.get(registry)).replicationBackfills ?? [];
  }

  async get(registry: string, id: string): Promise<ReplicationBackfill> {
    const found = (await this.list(registry)).find((backfill) => backfill.id === id);
    if (!found) throw new ReplicationValidationError(`The replication backfill '${id}' does not exist in the registry`);
    return found;
  }

  /** Applies `mutate` to one backfill atomically and answers the result. */
  async change(registry: string, id: string, mutate: (backfill: ReplicationBackfill) => ReplicationBackfill): Promise<ReplicationBackfill> {
    let changed: ReplicationBackfill | undefined;
    await this.registries.update(registry, (current) => {
      const backfills = current.replicationBackfills ?? [];
      const at = backfills.findIndex((backfill) => backfill.id === id);
      const backfill = backfills[at];
      if (!backfill) throw new ReplicationValidationError(`The replication backfill '${id}' does not exist in the registry`);
      changed = mutate(backfill);
      return { ...current, replicationBackfills: backfills.map((b, i) => (i === at ? (changed as ReplicationBackfill) : b)) };
    });
    return changed as ReplicationBackfill;
  }
}

export interface BackfillRunDeps {
  readonly registries: RegistrySettingsStore;
  readonly repositories: RepositoryStore;
  readonly manifests: ManifestStore;
  readonly replicator: Replicator;
  readonly backfills: ReplicationBackfills;
  readonly clock: Clock;
}

/** Where a backfill run stopped for now: the last image it handled (repositories and digests go in order). */
export interface BackfillCursor {
  readonly repository: string;
  readonly digest: string;
}

export interface BackfillSliceOptions {
  /** Resume after this image (a continuation); from the first image without. */
  readonly after?: BackfillCursor;
  /** Asked after each image: true ends this slice with a cursor to continue from (a Lambda nearing its timeout). */
  readonly pause?: () => boolean;
}

export interface BackfillSlice {
  readonly backfill: ReplicationBackfill;
  /** Present when the slice paused with images left: run another slice from here. */
  readonly resumeAfter?: BackfillCursor;
}

/**
 * Executes one backfill: every image of the registry the current rules send to its destination, through
 * the replicator (statuses and events as for a push). A stop request is honoured between images.
 */
export async function runBackfill(deps: BackfillRunDeps, registry: string, id: string): Promise<ReplicationBackfill> {
  return (await runBackfillSlice(deps, registry, id)).backfill;
}

/**
 * Part of a backfill, from `after` until the images run out (the backfill ends: COMPLETE, FAILED or STOPPED)
 * or `pause` asks to stop for now (the backfill stays IN_PROGRESS; `resumeAfter` says where to go on). At
 * least one image is handled per slice, so a chain of slices always ends.
 */
export async function runBackfillSlice(deps: BackfillRunDeps, registry: string, id: string, options: BackfillSliceOptions = {}): Promise<BackfillSlice> {
  const { backfills } = deps;
  let backfill = await backfills.change(registry, id, (b) => (b.status === 'PREPARING' ? { ...b, status: 'IN_PROGRESS' } : b));
  const configuration = (await deps.registries.get(registry)).replicationConfiguration;
  let last: BackfillCursor | undefined;
  for await (const [repositoryName, digest, tags] of images(deps, registry, options.after)) {
    if (backfill.status !== 'IN_PROGRESS') break;
    if (last && options.pause?.()) return { backfill, resumeAfter: last };
    last = { repository: repositoryName, digest };
    if (!destinationsFor(configuration, repositoryName, tags).some((d) => same(d, backfill.destination))) continue;
    const outcome = await deps.replicator.replicate({ registry, name: repositoryName }, digest, backfill.destination).catch(() => ({
      status: 'FAILED' as const,
      failureCode: 'REPLICATION_ERROR',
    }));
    if (!outcome) continue;
    const result: ReplicationBackfillResult = { repositoryName, imageDigest: digest, ...outcome };
    backfill = await backfills.change(registry, id, (b) => recordResult(b, result));
  }
  const endedAt = deps.clock.now().toISOString();
  const ended = await backfills.change(registry, id, (b) => {
    if (b.status === 'STOPPING') return { ...b, status: 'STOPPED', endedAt };
    if (b.status !== 'IN_PROGRESS') return b;
    const { total, failed } = b.progress;
    return total >= FAILURE_JUDGED_AFTER && failed * 2 >= total
      ? { ...b, status: 'FAILED', failureCode: 'TOO_MANY_FAILED_REPLICATIONS', endedAt }
      : { ...b, status: 'COMPLETE', endedAt };
  });
  return { backfill: ended };
}

function recordResult(backfill: ReplicationBackfill, result: ReplicationBackfillResult): ReplicationBackfill {
  const { progress } = backfill;
  const failureCodes =
    result.failureCode && !progress.failureCodes.includes(result.failureCode) ? [...progress.failureCodes, result.failureCode] : progress.failureCodes;
  return {
    ...backfill,
    progress: {
      total: progress.total + 1,
      completed: progress.completed + (result.status === 'COMPLETE' ? 1 : 0),
      failed: progress.failed + (result.status === 'FAILED' ? 1 : 0),
      failureCodes,
    },
    results: backfill.results.length < MAX_RESULTS ? [...backfill.results, result] : backfill.results,
  };
}

/** Every image of a registry with its tags, repository by repository, in pages; after `from` when given. */
async function* images(deps: BackfillRunDeps, registry: string, from?: BackfillCursor): AsyncIterable<[string, Digest, string[]]> {
  if (from) yield* imagesOf(deps, { registry, name: from.repository }, from.digest);
  for (let last = from?.repository; ;) {
    const names = await deps.repositories.list(registry, last === undefined ? { limit: 100 } : { last, limit: 100 });
    for (const name of names) yield* imagesOf(deps, { registry, name });
    if (names.length < 100) return;
    last = names[names.length - 1];
  }
}

async function* imagesOf(deps: BackfillRunDeps, repo: RepoRef, after?: string): AsyncIterable<[string, Digest, string[]]> {
  for (;;) {
    const records = await deps.manifests.list(repo, after === undefined ? { limit: 100 } : { last: after, limit: 100 });
    for (const record of records) yield [repo.name, record.digest, await deps.manifests.tagsOf(repo, record.digest)];
    if (records.length < 100) return;
    after = records[records.length - 1]?.digest;
  }
}
