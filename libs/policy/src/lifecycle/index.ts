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
export { LifecyclePolicyError, MAX_LIFECYCLE_POLICY_LENGTH } from './errors';
export { parseLifecyclePolicy } from './parse-lifecycle-policy';
export { evaluateLifecyclePolicy } from './evaluate-lifecycle-policy';
