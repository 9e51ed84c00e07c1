import { buildImageGraph, type ImageGraph } from './image-graph';
import { compileTagFilter } from './tag-filter';
import type { LifecycleDecision, LifecycleImage, LifecyclePolicy, LifecycleRule } from './types';

const DAY_MS = 86_400_000;

/**
 * Evaluates a policy against a repository's images as ECR's lifecycle evaluator does:
 *
 * - Every rule selects the images matching its tagStatus, tag list and storage class, and marks, among
 *   all of those, the ones its count criterion picks: beyond the newest `countNumber`
 *   (imageCountMoreThan), or older than `countNumber` days (since*). A rule counts images that
 *   higher-priority rules also select "as if they haven't been expired" ...
 * - ... but it can never act on them: "an image that matches the tagging requirements of a rule cannot
 *   be expired or archived by a rule with a lower priority". So each image is acted on by at most one
 *   rule, and an earlier rule shields what it selects even when it keeps it (ECR's examples: the
 *   `any` rule of "Filtering on all images" B expires only D).
 * - "older than N days" is strict: an image pushed exactly N days ago stays (example B's rule 2 keeps
 *   E, pushed 1 day ago, under countNumber 1).
 * - Times: imageCountMoreThan and the result's order use the push time, or the restore time
 *   (lastActivatedAt) of an image restored from archive, or for archive rules the archive time.
 *   sinceImagePulled uses the last pull, else the restore time when the image was not pulled since,
 *   else the push time; sinceImageTransitioned uses lastArchivedAt.
 *
 * Results are grouped by rule priority, oldest first, each image followed by the referrers that go
 * with it (see image-graph.ts for referrers and manifest lists). Pure: `now` is the only clock.
 */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: Date): LifecycleDecision[] {
  const context: Context = { images, graph: buildImageGraph(images), times: imageTimes(images), acted: new Uint8Array(images.length), decisions: [] };
  const shielded = new Uint8Array(images.length);
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const rule of rules) {
    const selected = select(rule, context);
    for (const i of mark(rule, context, selected, now.getTime())) {
      if (!shielded[i]) act(rule, i, context);
    }
    for (const i of selected) shielded[i] = 1;
  }
  return context.decisions;
}

interface Context {
  readonly images: readonly LifecycleImage[];
  readonly graph: ImageGraph;
  readonly times: Times;
  readonly acted: Uint8Array;
  readonly decisions: LifecycleDecision[];
}

/** Epoch milliseconds per image, read once: sorting 100 000 images compares them ~2 million times. */
interface Times {
  readonly pushed: Float64Array;
  /** Order of standard images: the restore time of a restored image, else the push time. */
  readonly standardOrder: Float64Array;
  /** Order of archived images: the archive time, else as standard. */
  readonly archiveOrder: Float64Array;
  /** sinceImagePulled: the last pull, else the restore time when not pulled since, else the push time. */
  readonly pulled: Float64Array;
  /** sinceImageTransitioned: the archive time, NaN when unknown (never acted on). */
  readonly archived: Float64Array;
}

function imageTimes(images: readonly LifecycleImage[]): Times {
  const n = images.length;
  const times = {
    pushed: new Float64Array(n),
    standardOrder: new Float64Array(n),
    archiveOrder: new Float64Array(n),
    pulled: new Float64Array(n),
    archived: new Float64Array(n),
  };
  images.forEach((image, i) => {
    const pushed = image.pushedAt.getTime();
    const activated = image.lastActivatedAt?.getTime();
    const pulled = image.lastPulledAt?.getTime();
    const archived = image.lastArchivedAt?.getTime() ?? NaN;
    times.pushed[i] = pushed;
    times.standardOrder[i] = activated ?? pushed;
    times.archiveOrder[i] = Number.isNaN(archived) ? (activated ?? pushed) : archived;
    times.pulled[i] = activated !== undefined && (pulled === undefined || pulled < activated) ? activated : (pulled ?? pushed);
    times.archived[i] = archived;
  });
  return times;
}

function select(rule: LifecycleRule, { images, graph }: Context): number[] {
  const matches = compileTagFilter(rule.selection);
  const storageClass = rule.selection.storageClass ?? 'STANDARD';
  const selected: number[] = [];
  for (let i = 0; i < images.length; i++) {
    const image = images[i] as LifecycleImage;
    if (graph.selectable[i] && image.storageClass === storageClass && matches(image.tags)) selected.push(i);
  }
  return selected;
}

/** The selected images the rule's count criterion picks, oldest first. */
function mark(rule: LifecycleRule, { images, times }: Context, selected: number[], now: number): number[] {
  const { countType, countNumber } = rule.selection;
  const order = rule.selection.storageClass === 'ARCHIVE' ? times.archiveOrder : times.standardOrder;
  const oldestFirst = (a: number, b: number) => (order[a] as number) - (order[b] as number) || compareDigests(images, a, b);
  if (countType === 'imageCountMoreThan') {
    const sorted = [...selected].sort(oldestFirst);
    return sorted.slice(0, Math.max(0, sorted.length - countNumber));
  }
  const since = countType === 'sinceImagePushed' ? times.pushed : countType === 'sinceImagePulled' ? times.pulled : times.archived;
  const limit = countNumber * DAY_MS;
  // NaN (no archive time) fails the comparison, so such images are never picked.
  return selected.filter((i) => now - (since[i] as number) > limit).sort(oldestFirst);
}

function act(rule: LifecycleRule, index: number, context: Context): void {
  const { images, graph, times, acted, decisions } = context;
  if (acted[index]) return;
  acted[index] = 1;
  const image = images[index] as LifecycleImage;
  const transition = rule.action.type === 'transition';
  if (transition && image.storageClass === 'ARCHIVE') return;
  decisions.push(
    transition
      ? { digest: image.digest, action: 'TRANSITION', targetStorageClass: 'ARCHIVE', rulePriority: rule.rulePriority }
      : { digest: image.digest, action: 'EXPIRE', rulePriority: rule.rulePriority },
  );
  const referrers = graph.referrersOf(index);
  if (referrers.length === 0) return;
  for (const referrer of [...referrers].sort((a, b) => (times.pushed[a] as number) - (times.pushed[b] as number))) act(rule, referrer, context);
}

function compareDigests(images: readonly LifecycleImage[], a: number, b: number): number {
  const x = (images[a] as LifecycleImage).digest;
  const y = (images[b] as LifecycleImage).digest;
  return x < y ? -1 : x > y ? 1 : 0;
}
