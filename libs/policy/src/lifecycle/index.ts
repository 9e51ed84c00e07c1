export type {
  CountType,
  LifecycleAction,
  LifecycleDecision,
  LifecycleImage,
  LifecyclePolicy,
  LifecycleRule,
  LifecycleSelection,
  LifecycleStorageClass,
  TagStatus,
} from './types';
export { LifecyclePolicyError } from './errors';
export { parseLifecyclePolicy } from './parse-lifecycle-policy';
export { evaluateLifecyclePolicy } from './evaluate-lifecycle-policy';
