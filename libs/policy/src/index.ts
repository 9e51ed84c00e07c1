export type {
  Condition,
  ConditionFamily,
  ContextValue,
  Decision,
  Effect,
  Evaluation,
  EvaluationRequest,
  PatternSet,
  PolicyDocument,
  PolicyKind,
  PolicySet,
  PolicyVersion,
  PrincipalSet,
  RequestPrincipal,
  SetQualifier,
  Statement,
  StatementRef,
} from './types';
export { DEFAULT_MAX_POLICY_LENGTH, parsePolicyDocument, type ParseOptions, type ParseResult } from './parse-policy';
export { evaluate } from './evaluate';
export { isContextFree } from './context-free';
export { matchesWildcard, type WildcardOptions } from './wildcard';
export {
  evaluateLifecyclePolicy,
  LifecyclePolicyError,
  MAX_LIFECYCLE_POLICY_LENGTH,
  parseLifecyclePolicy,
  type CountType,
  type LifecycleAction,
  type LifecycleDecision,
  type LifecycleImage,
  type LifecyclePolicy,
  type LifecycleRule,
  type LifecycleSelection,
  type LifecycleStorageClass,
  type TagStatus,
} from './lifecycle';
