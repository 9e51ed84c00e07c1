import { LifecyclePolicyError } from './errors';
import type { CountType, LifecycleAction, LifecycleRule, LifecycleSelection, LifecycleStorageClass, TagStatus } from './types';

/**
 * The structural half of ECR's validation: the shape its JSON schema accepts, reported in its schema
 * validator's words, first fault first. Semantic checks on a well-formed rule live in rule-checks.ts.
 *
 * ECR's schema makes `selection` and `action` one-of unions (a count branch and an age branch; an
 * expire branch and a transition branch), which is why a stray `countUnit`, a missing one, or a `null`
 * anywhere in them is reported as "instance failed to match exactly one schema (matched 0 out of 2)"
 * (quoted from ECR responses in cloudposse/terraform-aws-ecr#132 and #158).
 */
export const ONE_OF = 'instance failed to match exactly one schema (matched 0 out of 2)';

/** ECR's quota "Rules per lifecycle policy". */
export const MAX_RULES = 50;

const POLICY_KEYS = ['rules'];
const RULE_REQUIRED = ['action', 'rulePriority', 'selection'];
const RULE_KEYS = [...RULE_REQUIRED, 'description'];
const SELECTION_REQUIRED = ['countNumber', 'countType', 'tagStatus'];
const SELECTION_KEYS = [...SELECTION_REQUIRED, 'countUnit', 'storageClass', 'tagPatternList', 'tagPrefixList'];
const ACTION_KEYS = ['targetStorageClass', 'type'];

const TAG_STATUSES: readonly TagStatus[] = ['any', 'tagged', 'untagged'];
const AGE_COUNT_TYPES: ReadonlySet<string> = new Set<CountType>(['sinceImagePulled', 'sinceImagePushed', 'sinceImageTransitioned']);
const STORAGE_CLASSES: Readonly<Record<string, LifecycleStorageClass>> = { standard: 'STANDARD', archive: 'ARCHIVE' };

type JsonObject = Record<string, unknown>;

/** The rules array of a parsed policy document, each rule checked against the schema. */
export function parseRules(document: unknown): LifecycleRule[] {
  if (typeOf(document) !== 'object') fail('Could not map policyString into LifecyclePolicy.');
  const policy = expectObject(document, POLICY_KEYS, POLICY_KEYS);
  const rules = expectType(policy['rules'], 'array') as unknown[];
  if (rules.length === 0) fail('array is too short: must have at least 1 elements but instance has 0 elements');
  if (rules.length > MAX_RULES) fail(`array is too long: must have at most ${MAX_RULES} elements but instance has ${rules.length} elements`);
  return rules.map(parseRule);
}

function parseRule(raw: unknown): LifecycleRule {
  const rule = expectObject(raw, RULE_REQUIRED, RULE_KEYS);
  const rulePriority = expectInteger(rule['rulePriority'], 1);
  const description = rule['description'] === undefined ? undefined : (expectType(rule['description'], 'string') as string);
  const selection = parseSelection(rule['selection']);
  const action = parseAction(rule['action']);
  return { rulePriority, ...(description === undefined ? {} : { description }), selection, action };
}

function parseSelection(raw: unknown): LifecycleSelection {
  const selection = expectObject(raw, SELECTION_REQUIRED, SELECTION_KEYS);
  for (const key of SELECTION_KEYS) if (selection[key] === null) fail(ONE_OF);
  const tagStatus = expectEnum(selection['tagStatus'], TAG_STATUSES);
  const tagPrefixList = optionalStringList(selection['tagPrefixList']);
  const tagPatternList = optionalStringList(selection['tagPatternList']);
  const countNumber = expectInteger(selection['countNumber'], 1);
  const countType = selection['countType'];
  const countUnit = selection['countUnit'];
  const storageClassText = selection['storageClass'];
  if (typeof countType !== 'string' || (countType !== 'imageCountMoreThan' && !AGE_COUNT_TYPES.has(countType))) fail(ONE_OF);
  // The count branch has no countUnit; the age branch requires "days".
  if (countType === 'imageCountMoreThan' ? countUnit !== undefined : countUnit !== 'days') fail(ONE_OF);
  if (storageClassText !== undefined && (typeof storageClassText !== 'string' || !(storageClassText in STORAGE_CLASSES))) fail(ONE_OF);
  return {
    tagStatus,
    ...(tagPrefixList ? { tagPrefixList } : {}),
    ...(tagPatternList ? { tagPatternList } : {}),
    storageClass: storageClassText === undefined ? 'STANDARD' : (STORAGE_CLASSES[storageClassText as string] as LifecycleStorageClass),
    countType: countType as CountType,
    ...(countUnit === undefined ? {} : { countUnit: 'days' as const }),
    countNumber,
  };
}

function parseAction(raw: unknown): LifecycleAction {
  const action = expectObject(raw, ['type'], ACTION_KEYS);
  const { type, targetStorageClass } = action;
  if (type === 'expire' && targetStorageClass === undefined) return { type };
  if (type === 'transition' && targetStorageClass === 'archive') return { type, targetStorageClass };
  return fail(ONE_OF);
}

function fail(reason: string): never {
  throw new LifecyclePolicyError(reason);
}

/** JSON schema primitive type names, as the validator reports them ("integer" for whole numbers). */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function expectType(value: unknown, allowed: 'array' | 'object' | 'string' | 'integer'): unknown {
  const actual = typeOf(value);
  if (actual !== allowed) fail(`instance type (${actual}) does not match any allowed primitive type (allowed: ["${allowed}"])`);
  return value;
}

function expectObject(value: unknown, required: readonly string[], allowed: readonly string[]): JsonObject {
  const object = expectType(value, 'object') as JsonObject;
  const missing = required.filter((key) => !(key in object)).sort();
  if (missing.length > 0) fail(`object has missing required properties (${JSON.stringify(missing)})`);
  const unknown = Object.keys(object)
    .filter((key) => !allowed.includes(key))
    .sort();
  if (unknown.length > 0) fail(`object instance has properties which are not allowed by the schema: (${JSON.stringify(unknown)})`);
  return object;
}

function expectInteger(value: unknown, minimum: number): number {
  const number = expectType(value, 'integer') as number;
  if (number < minimum) fail(`numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${number})`);
  return number;
}

function expectEnum<T extends string>(value: unknown, values: readonly T[]): T {
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  return fail(`instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(values)})`);
}

function optionalStringList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = expectType(value, 'array') as unknown[];
  if (list.length === 0) fail('array is too short: must have at least 1 elements but instance has 0 elements');
  for (const item of list) {
    expectType(item, 'string');
    if ((item as string).length === 0) fail('string "" is too short (length: 0, required minimum: 1)');
  }
  return list as string[];
}
