import { LifecyclePolicyError, LifecyclePolicyTooLongError, MAX_LIFECYCLE_POLICY_LENGTH } from './errors';
import { checkRule, checkRuleSet } from './rule-checks';
import { parseRules } from './schema';
import type { LifecyclePolicy } from './types';

/**
 * Parses and validates lifecycle policy text the way ECR's PutLifecyclePolicy does, reporting the first
 * fault. The result's rules are sorted by rulePriority (evaluation order) and carry `storageClass`
 * always, upper-cased as the API spells storage classes ('STANDARD' when the policy omits it).
 *
 * Throws LifecyclePolicyError whose message is ECR's InvalidParameterException wording for that fault.
 */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  if (text.length > MAX_LIFECYCLE_POLICY_LENGTH) throw new LifecyclePolicyTooLongError(text.length);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new LifecyclePolicyError('Could not map policyString into LifecyclePolicy.', { cause });
  }
  const rules = parseRules(document);
  rules.forEach(checkRule);
  checkRuleSet(rules);
  return { rules: rules.sort((a, b) => a.rulePriority - b.rulePriority) };
}
