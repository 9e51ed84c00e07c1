import type { LifecycleDecision, LifecycleImage, LifecyclePolicy } from './types';

/** Pure. Every image acted on by at most one rule; result ordered as ECR's preview lists them. */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: Date): LifecycleDecision[] {
  throw new Error(`not yet: ${policy.rules.length} ${images.length} ${now.getTime()}`);
}
