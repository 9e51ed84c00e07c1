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
    // Indexes before what they list: a child expiring with its index would otherwise still be referenced.
    const ordered = [...decisions].sort((a, b) => childrenOf(observed, b) - childrenOf(observed, a));
    for (const decision of ordered) {
      const before = observed.get(decision.digest as Digest);
      if (!before) continue;
      const done = decision.action === 'EXPIRE' ? await this.expire(repo, before) : await this.archive(repo, before, now);
      (done ? (decision.action === 'EXPIRE' ? report.expired : report.transitioned) : report.skipped).push(before.record.digest);
    }
    await this.repositories.update(repo, (current) => ({ ...current, lifecycleEvaluatedAt: now.toISOString() }));
    return { ...report, evaluated: true };
  }

  private async expire(repo: RepoRef, before: ObservedImage): Promise<boolean> {
    const digest = before.record.digest;
    if (!unchanged(before, await this.manifests.get(repo, digest), await this.manifests.tagsOf(repo, digest))) return false;
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
