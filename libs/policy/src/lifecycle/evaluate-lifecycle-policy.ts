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
  const graph = buildImageGraph(images);
  const shielded = new Uint8Array(images.length);
  const acted = new Uint8Array(images.length);
  const decisions: LifecycleDecision[] = [];
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  for (const rule of rules) {
    const selected = select(rule, images, graph);
    const marked = mark(rule, images, selected, now.getTime());
    for (const i of marked) {
      if (!shielded[i]) act(rule, i, images, graph, acted, decisions);
    }
    for (const i of selected) shielded[i] = 1;
  }
  return decisions;
}

function select(rule: LifecycleRule, images: readonly LifecycleImage[], graph: ImageGraph): number[] {
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
function mark(rule: LifecycleRule, images: readonly LifecycleImage[], selected: number[], now: number): number[] {
  const { countType, countNumber } = rule.selection;
  const archive = rule.selection.storageClass === 'ARCHIVE';
  const order = new Float64Array(images.length);
  for (const i of selected) order[i] = orderTime(images[i] as LifecycleImage, archive);
  const oldestFirst = (a: number, b: number) => (order[a] as number) - (order[b] as number) || compareDigests(images, a, b);
  if (countType === 'imageCountMoreThan') {
    const sorted = [...selected].sort(oldestFirst);
    return sorted.slice(0, Math.max(0, sorted.length - countNumber));
  }
  const limit = countNumber * DAY_MS;
  const since = countType === 'sinceImagePushed' ? pushTime : countType === 'sinceImagePulled' ? pullTime : archiveTime;
  return selected
    .filter((i) => {
      const time = since(images[i] as LifecycleImage);
      return time !== undefined && now - time > limit;
    })
    .sort(oldestFirst);
}

function act(rule: LifecycleRule, index: number, images: readonly LifecycleImage[], graph: ImageGraph, acted: Uint8Array, out: LifecycleDecision[]): void {
  if (acted[index]) return;
  acted[index] = 1;
  const image = images[index] as LifecycleImage;
  const transition = rule.action.type === 'transition';
  if (transition && image.storageClass === 'ARCHIVE') return;
  out.push(
    transition
      ? { digest: image.digest, action: 'TRANSITION', targetStorageClass: 'ARCHIVE', rulePriority: rule.rulePriority }
      : { digest: image.digest, action: 'EXPIRE', rulePriority: rule.rulePriority },
  );
  const referrers = [...graph.referrersOf(index)].sort((a, b) => pushTime(images[a] as LifecycleImage) - pushTime(images[b] as LifecycleImage));
  for (const referrer of referrers) act(rule, referrer, images, graph, acted, out);
}

function compareDigests(images: readonly LifecycleImage[], a: number, b: number): number {
  const x = (images[a] as LifecycleImage).digest;
  const y = (images[b] as LifecycleImage).digest;
  return x < y ? -1 : x > y ? 1 : 0;
}

const pushTime = (image: LifecycleImage): number => image.pushedAt.getTime();

function orderTime(image: LifecycleImage, archive: boolean): number {
  if (archive && image.lastArchivedAt) return image.lastArchivedAt.getTime();
  return (image.lastActivatedAt ?? image.pushedAt).getTime();
}

function pullTime(image: LifecycleImage): number {
  const pulled = image.lastPulledAt?.getTime();
  const activated = image.lastActivatedAt?.getTime();
  if (activated !== undefined && (pulled === undefined || pulled < activated)) return activated;
  return pulled ?? pushTime(image);
}

const archiveTime = (image: LifecycleImage): number | undefined => image.lastArchivedAt?.getTime();
