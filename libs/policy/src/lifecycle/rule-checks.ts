import { LifecyclePolicyError } from './errors';
import type { LifecycleRule, LifecycleStorageClass } from './types';

/**
 * The semantic half of ECR's validation, on rules the schema accepted: each rule on its own, then the
 * rules as a set, per storage class (ECR's evaluation rules: "Only one rule selecting a specific storage
 * class is allowed to select untagged images", "The set of all rules selecting a specific storage class
 * must contain a unique set of prefixes", an `any` rule is evaluated last).
 *
 * Quoted ECR wording: "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.",
 * "Only one rule can select Untagged images per storage class.", "Rule for tagStatus=ANY must have the
 * lowest priority per storage class". The other sentences are ours, in the same style.
 */
export const MAX_WILDCARDS_PER_PATTERN = 4;

/** Archived images stay in archive at least this long; ECR refuses rules that would expire them sooner. */
export const MIN_ARCHIVE_DAYS = 90;

export function checkRule(rule: LifecycleRule): void {
  const { selection, action } = rule;
  const { tagStatus, tagPrefixList, tagPatternList, countType } = selection;
  if (tagPrefixList && tagPatternList) fail('A rule may specify either tagPrefixList or tagPatternList, but not both.');
  if (tagStatus === 'tagged' && !tagPrefixList && !tagPatternList) fail('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  if (tagStatus !== 'tagged' && (tagPrefixList || tagPatternList)) fail('tagPrefixList and tagPatternList may only be used when tagStatus=TAGGED.');
  for (const pattern of tagPatternList ?? []) {
    if (wildcards(pattern) > MAX_WILDCARDS_PER_PATTERN) {
      fail(`tagPatternList entry "${pattern}" has more than the maximum of ${MAX_WILDCARDS_PER_PATTERN} wildcards (*).`);
    }
  }
  if (countType === 'sinceImageTransitioned') {
    if (selection.storageClass !== 'ARCHIVE') fail('storageClass=ARCHIVE is required when countType=sinceImageTransitioned.');
    if (action.type !== 'expire') fail('countType=sinceImageTransitioned can only be used with action type=EXPIRE.');
    if (selection.countNumber < MIN_ARCHIVE_DAYS) {
      fail(
        `countNumber must be at least ${MIN_ARCHIVE_DAYS} when countType=sinceImageTransitioned: archived images have a minimum storage duration of ${MIN_ARCHIVE_DAYS} days.`,
      );
    }
  } else if (selection.storageClass === 'ARCHIVE') {
    fail('storageClass=ARCHIVE can only be used with countType=sinceImageTransitioned.');
  }
  // ECR allows sinceImagePulled only with `transition`. Extension: cargohold also lets it `expire`
  // (delete what nobody pulled for N days in one step), which ECR users ask for.
}

export function checkRuleSet(rules: readonly LifecycleRule[]): void {
  const priorities = new Set<number>();
  for (const rule of rules) {
    if (priorities.has(rule.rulePriority)) fail(`Each rule must have a unique rulePriority; ${rule.rulePriority} is used more than once.`);
    priorities.add(rule.rulePriority);
  }
  for (const storageClass of ['STANDARD', 'ARCHIVE'] as const) checkStorageClass(rules, storageClass);
}

function checkStorageClass(all: readonly LifecycleRule[], storageClass: LifecycleStorageClass): void {
  const rules = all.filter((rule) => (rule.selection.storageClass ?? 'STANDARD') === storageClass);
  if (rules.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) fail('Only one rule can select Untagged images per storage class.');
  const highest = Math.max(...rules.map((rule) => rule.rulePriority));
  if (rules.some((rule) => rule.selection.tagStatus === 'any' && rule.rulePriority !== highest)) {
    fail('Rule for tagStatus=ANY must have the lowest priority per storage class');
  }
  const filters = new Set<string>();
  for (const rule of rules) {
    const { tagPrefixList, tagPatternList } = rule.selection;
    const list = tagPrefixList ?? tagPatternList;
    if (!list) continue;
    const key = `${tagPrefixList ? 'prefix' : 'pattern'}:${JSON.stringify([...new Set(list)].sort())}`;
    if (filters.has(key)) fail('The rules selecting a storage class must contain a unique set of tag prefixes and patterns.');
    filters.add(key);
  }
}

function wildcards(pattern: string): number {
  let count = 0;
  for (const ch of pattern) if (ch === '*') count++;
  return count;
}

function fail(reason: string): never {
  throw new LifecyclePolicyError(reason);
}
