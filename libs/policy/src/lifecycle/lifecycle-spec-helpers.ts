import { evaluateLifecyclePolicy } from './evaluate-lifecycle-policy';
import { parseLifecyclePolicy } from './parse-lifecycle-policy';
import type { LifecycleImage } from './types';

export const NOW = new Date('2026-06-01T12:00:00Z');
const DAY_MS = 86_400_000;

export const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY_MS);

/** An image named by a letter; its digest is `sha256:<name>`. */
export function image(name: string, pushedDaysAgo: number, tags: string[] = [], extra: Partial<LifecycleImage> = {}): LifecycleImage {
  return { digest: `sha256:${name}`, tags, pushedAt: daysAgo(pushedDaysAgo), storageClass: 'STANDARD', children: [], ...extra };
}

export const expire = { type: 'expire' };
export const archive = { type: 'transition', targetStorageClass: 'archive' };

/** Policy text with one rule per selection, priorities 1, 2, 3… unless a selection says otherwise. */
export function policyText(...rules: Array<{ selection: Record<string, unknown>; action?: object; rulePriority?: number }>): string {
  return JSON.stringify({
    rules: rules.map((r, i) => ({ rulePriority: r.rulePriority ?? i + 1, description: `Rule ${i + 1}`, selection: r.selection, action: r.action ?? expire })),
  });
}

/** Parses the text as ECR would and evaluates it, naming acted-on images `name:ACTION@priority`. */
export function outcome(text: string, images: LifecycleImage[], now = NOW): string[] {
  return evaluateLifecyclePolicy(parseLifecyclePolicy(text), images, now).map(
    (d) => `${d.digest.slice('sha256:'.length)}:${d.action}${d.targetStorageClass ? `>${d.targetStorageClass}` : ''}@${d.rulePriority}`,
  );
}
