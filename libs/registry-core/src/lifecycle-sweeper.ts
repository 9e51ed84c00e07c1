import type { LifecycleDecision } from '@cargohold/policy';
import { ManifestReferencedError, type Digest, type LifecycleTargets, type ManifestStore, type RepoRef, type RepositoryStore } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { unchanged, type ObservedImage } from './lifecycle-images';
import { evaluateRepository } from './lifecycle-policies';
import type { ManifestService } from './manifests';

/** What one sweep of one repository did. */
export interface SweepReport {
  readonly expired: Digest[];
  readonly transitioned: Digest[];
  /** Selected, but changed since (re-tagged, re-pushed, deleted) or still needed by an index: left alone. */
  readonly skipped: Digest[];
  /** False when the repository has no lifecycle policy (or no longer exists): nothing was evaluated. */
  readonly evaluated: boolean;
}

/**
 * The lifecycle sweeper's use case for one repository: evaluate its policy over its images, as the
 * preview does, then act. Expiry goes through the same core delete as BatchDeleteImage (tags, referrer
 * bookkeeping, `image.deleted` recorded with the change, here with reason `lifecycle` → ECR's action-type
 * EXPIRE); a transition archives. An image is acted on only if it is still as it was selected: same
 * digest, pushed at the same time (not deleted and pushed again), same tags. The tags are checked by the
 * store atomically with the delete (ManifestStore.delete's expectedTags), so a tag pushed onto the image
 * at any moment before the delete commits saves it.
 */
export class LifecycleSweeper {
  constructor(
    private readonly repositories: RepositoryStore,
    private readonly manifests: ManifestStore,
    private readonly manifestService: ManifestService,
    private readonly clock: Clock,
  ) {}

  async sweep(repo: RepoRef): Promise<SweepReport> {
    const report: SweepReport = { expired: [], transitioned: [], skipped: [], evaluated: false };
    const policyText = (await this.repositories.get(repo))?.settings.lifecyclePolicyText;
    if (policyText === undefined) return report;
    const now = this.clock.now();
    const { observed, decisions } = await evaluateRepository(this.manifests, repo, policyText, now);
    const act = async (decision: LifecycleDecision) => {
      const before = observed.get(decision.digest as Digest);
      if (!before) return;
      const done = decision.action === 'EXPIRE' ? await this.expire(repo, before) : await this.archive(repo, before, now);
      (done ? (decision.action === 'EXPIRE' ? report.expired : report.transitioned) : report.skipped).push(before.record.digest);
    };
    // Indexes first, one at a time and the biggest first, so a child expiring with its index is no longer
    // referenced when its turn comes; then every other image, a few at a time (none of those constrains another).
    const indexes = decisions.filter((d) => childrenOf(observed, d) > 0).sort((a, b) => childrenOf(observed, b) - childrenOf(observed, a));
    for (const decision of indexes) await act(decision);
    await inParallel(
      decisions.filter((d) => childrenOf(observed, d) === 0),
      PARALLEL_ACTIONS,
      act,
    );
    await this.repositories.update(repo, (current) => ({ ...current, lifecycleEvaluatedAt: now.toISOString() }));
    return { ...report, evaluated: true };
  }

  /** Not re-pushed since (same push time); the tags are compared by the store, atomically with the delete. */
  private async expire(repo: RepoRef, before: ObservedImage): Promise<boolean> {
    const digest = before.record.digest;
    if ((await this.manifests.get(repo, digest))?.pushedAt.getTime() !== before.record.pushedAt.getTime()) return false;
    try {
      return await this.manifestService.deleteDigest(repo, digest, 'lifecycle', before.tags);
    } catch (error) {
      if (error instanceof ManifestReferencedError) return false;
      throw error;
    }
  }

  private async archive(repo: RepoRef, before: ObservedImage, now: Date): Promise<boolean> {
    const current = await this.manifests.get(repo, before.record.digest);
    if (!unchanged(before, current, await this.manifests.tagsOf(repo, before.record.digest))) return false;
    if (current?.storageClass === 'ARCHIVE') return false;
    return (await this.manifests.setStorageClass(repo, before.record.digest, 'ARCHIVE', now)) !== undefined;
  }
}

/** Expiries and transitions in flight at once for images that list no others. */
const PARALLEL_ACTIONS = 8;

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const childrenOf = (observed: ReadonlyMap<Digest, ObservedImage>, decision: LifecycleDecision) =>
  observed.get(decision.digest as Digest)?.record.children.length ?? 0;

/**
 * One scheduled run: every repository with a policy, one at a time (a sweep is I/O-bound and a registry's
 * store has one writer). A repository that fails is reported and the run goes on with the next.
 */
export async function sweepAll(
  targets: LifecycleTargets,
  sweeper: LifecycleSweeper,
  onResult: (repo: RepoRef, outcome: { report: SweepReport } | { error: unknown }) => void,
): Promise<void> {
  for await (const repo of targets.list()) {
    try {
      onResult(repo, { report: await sweeper.sweep(repo) });
    } catch (error) {
      onResult(repo, { error });
    }
  }
}
