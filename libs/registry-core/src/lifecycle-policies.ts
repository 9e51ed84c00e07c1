import { evaluateLifecyclePolicy, LifecyclePolicyError, parseLifecyclePolicy, type LifecycleDecision } from '@cargohold/policy';
import type { Digest, ManifestStore, RepoRef, Repository } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { InvalidParameterError } from './ecr-errors';
import type { ImageId, TagStatus } from './images';
import { LifecyclePolicyNotFoundError, LifecyclePolicyPreviewNotFoundError } from './lifecycle-errors';
import { observeImages, toLifecycleImage, type ObservedImage } from './lifecycle-images';
import { accountOf, type RepositoryAdmin } from './repository-admin';

export interface StoredLifecyclePolicy {
  readonly policyText: string;
  readonly lastEvaluatedAt?: Date;
}

/** One image a policy would act on, with what it would do (ECR's LifecyclePolicyPreviewResult). */
export interface PreviewResult {
  readonly image: ObservedImage;
  readonly decision: LifecycleDecision;
}

export interface LifecyclePreview {
  readonly policyText: string;
  readonly status: 'COMPLETE';
  readonly results: PreviewResult[];
  readonly next?: string;
  readonly summary: { readonly expiring: number; readonly transitioning: number };
}

export interface PreviewQuery {
  readonly imageIds?: readonly ImageId[];
  readonly tagStatus: TagStatus;
  readonly limit: number;
  /** The digest of the last result of the previous page. */
  readonly after?: string;
}

/** Parses a policy the way ECR validates one: a refusal is InvalidParameterException with ECR's text. */
export function checkLifecyclePolicy(text: string): void {
  try {
    parseLifecyclePolicy(text);
  } catch (error) {
    if (error instanceof LifecyclePolicyError) throw new InvalidParameterError(error.message);
    throw error;
  }
}

/** What the policy would do to the repository now: the same evaluation the sweeper acts on. */
export async function evaluateRepository(manifests: ManifestStore, repo: RepoRef, policyText: string, now: Date) {
  const observed = await observeImages(manifests, repo);
  const decisions = evaluateLifecyclePolicy(parseLifecyclePolicy(policyText), [...observed.values()].map(toLifecycleImage), now);
  return { observed, decisions };
}

/**
 * ECR's lifecycle policy actions. The policy is stored byte-for-byte in the repository's settings with the
 * time the sweeper last evaluated it. A preview stores only its request (which policy, when): evaluation is
 * pure and fast, so a preview is COMPLETE as soon as it starts and its results are evaluated when read,
 * against the repository as it is then. That keeps every settings document small whatever the repository
 * holds, and it is why LifecyclePolicyPreviewInProgressException never arises here.
 */
export class LifecyclePolicies {
  constructor(
    private readonly admin: RepositoryAdmin,
    private readonly manifests: ManifestStore,
    private readonly clock: Clock,
    /** Told (and awaited) after a policy is stored, so the composition root can schedule a sweep of that repository soon. */
    private readonly onPut: (repo: RepoRef) => void | Promise<void> = () => undefined,
  ) {}

  async put(repo: RepoRef, policyText: string): Promise<string> {
    checkLifecyclePolicy(policyText);
    await this.admin.update(repo, (current) => ({ ...current, lifecyclePolicyText: policyText }));
    await this.onPut(repo);
    return policyText;
  }

  async get(repo: RepoRef): Promise<StoredLifecyclePolicy> {
    return stored(await this.admin.get(repo));
  }

  async delete(repo: RepoRef): Promise<StoredLifecyclePolicy> {
    const policy = await this.get(repo);
    await this.admin.update(repo, ({ lifecyclePolicyText: _text, lifecycleEvaluatedAt: _at, ...rest }) => rest);
    return policy;
  }

  /** Starts a preview of `policyText`, or of the stored policy when none is given. */
  async startPreview(repo: RepoRef, policyText?: string): Promise<{ policyText: string; status: 'COMPLETE' }> {
    const text = policyText ?? (await this.get(repo)).policyText;
    checkLifecyclePolicy(text);
    const startedAt = this.clock.now().toISOString();
    await this.admin.update(repo, (current) => ({ ...current, lifecyclePreview: { policyText: text, startedAt } }));
    return { policyText: text, status: 'COMPLETE' };
  }

  async preview(repo: RepoRef, query: PreviewQuery): Promise<LifecyclePreview> {
    const { settings } = await this.admin.get(repo);
    const request = settings.lifecyclePreview;
    if (!request) throw new LifecyclePolicyPreviewNotFoundError(repo.name, accountOf(repo.registry));
    const { observed, decisions } = await evaluateRepository(this.manifests, repo, request.policyText, this.clock.now());
    const all = decisions
      .map((decision) => ({ image: observed.get(decision.digest as Digest) as ObservedImage, decision }))
      .filter((result) => result.image !== undefined)
      .sort((a, b) => (a.image.record.digest < b.image.record.digest ? -1 : 1));
    const summary = {
      expiring: all.filter((r) => r.decision.action === 'EXPIRE').length,
      transitioning: all.filter((r) => r.decision.action === 'TRANSITION').length,
    };
    const wanted = all.filter((r) => matchesStatus(r.image, query.tagStatus) && matchesIds(r.image, query.imageIds));
    const rest = query.after === undefined ? wanted : wanted.filter((r) => r.image.record.digest > (query.after as string));
    const results = rest.slice(0, query.limit);
    const next = rest.length > query.limit ? results[results.length - 1]?.image.record.digest : undefined;
    return { policyText: request.policyText, status: 'COMPLETE', results, summary, ...(next ? { next } : {}) };
  }
}

function stored(repository: Repository): StoredLifecyclePolicy {
  const { lifecyclePolicyText, lifecycleEvaluatedAt } = repository.settings;
  if (lifecyclePolicyText === undefined) throw new LifecyclePolicyNotFoundError(repository.name, accountOf(repository.registry));
  return { policyText: lifecyclePolicyText, ...(lifecycleEvaluatedAt ? { lastEvaluatedAt: new Date(lifecycleEvaluatedAt) } : {}) };
}

const matchesStatus = (image: ObservedImage, status: TagStatus) => status === 'ANY' || (status === 'TAGGED' ? image.tags.length > 0 : image.tags.length === 0);

const matchesIds = (image: ObservedImage, ids: readonly ImageId[] | undefined) =>
  ids === undefined ||
  ids.some((id) => (id.imageDigest === undefined || id.imageDigest === image.record.digest) && (id.imageTag === undefined || image.tags.includes(id.imageTag)));
