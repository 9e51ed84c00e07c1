import { OPERATORS } from './condition-operators';
import type { Condition, ContextValue } from './types';
import { substituteVariables, type VariableResolver } from './variables';
import { type PatternToken, tokenizePattern } from './wildcard';

/**
 * Condition evaluation, following the IAM condition-operator reference:
 *
 * - Keys within one operator, and operators within one block, are ANDed; values of one key are ORed.
 * - A key missing from the request (undefined or an empty list):
 *     Null                          → decided by Null itself (true = "must be absent")
 *     ForAllValues:…                → true (vacuously: no request value fails), IfExists or not
 *     ForAnyValue:…                 → false (no request value matches), IfExists or not
 *     …IfExists                     → true
 *     positive operator             → false
 *     negated operator (…Not…)      → true
 * - ForAllValues: every request value must match a policy value (for a negated operator: match none).
 *   ForAnyValue: at least one request value must. Without a qualifier, a multivalued request key
 *   matches when any of its values matches (and a negated operator when none does).
 * - A policy value whose `${…}` variable has no value matches nothing. For a negated operator that
 *   would widen the condition, so such a condition is false instead (IAM: the statement is invalid).
 */
export interface ConditionContext {
  /** Request values for a key (case-insensitive); undefined when the key is absent. */
  values(key: string): readonly string[] | undefined;
  /** Whether policy variables are substituted (only in Version 2012-10-17 policies). */
  readonly variables: boolean;
  readonly resolve: VariableResolver;
}

function contextStrings(value: ContextValue): string[] | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : [value.toISOString()];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return value.length > 0 ? [...value] : undefined;
}

/** Case-insensitive view of a request context, as IAM treats condition key names. */
export function contextLookup(context: Readonly<Record<string, ContextValue>>): (key: string) => string[] | undefined {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of Object.entries(context)) {
    const strings = contextStrings(value);
    if (strings) byKey.set(key.toLowerCase(), strings);
  }
  return (key) => byKey.get(key.toLowerCase());
}

function compileValues(condition: Condition, ctx: ConditionContext): { patterns: PatternToken[][]; unresolved: boolean } {
  const spec = OPERATORS[condition.base];
  const patterns: PatternToken[][] = [];
  let unresolved = false;
  for (const value of condition.values) {
    const tokens = spec?.variables && ctx.variables ? substituteVariables(value, ctx.resolve) : tokenizePattern(value);
    if (tokens) patterns.push(tokens);
    else unresolved = true;
  }
  return { patterns, unresolved };
}

export function evaluateCondition(condition: Condition, ctx: ConditionContext): boolean {
  const spec = OPERATORS[condition.base];
  if (!spec) return false;
  const actual = ctx.values(condition.key);

  if (spec.family === 'Null') {
    const absent = actual === undefined;
    return condition.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  if (actual === undefined) {
    if (condition.qualifier === 'ForAllValues') return true;
    if (condition.qualifier === 'ForAnyValue') return false;
    return condition.ifExists || spec.negated;
  }

  const { patterns, unresolved } = compileValues(condition, ctx);
  if (unresolved && spec.negated) return false;
  const matchesPolicy = (value: string) => patterns.some((p) => spec.matches(value, p));
  const satisfies = (value: string) => matchesPolicy(value) !== spec.negated;

  if (condition.qualifier === 'ForAllValues') return actual.every(satisfies);
  if (condition.qualifier === 'ForAnyValue') return actual.some(satisfies);
  return actual.some(matchesPolicy) !== spec.negated;
}

/** All conditions of a statement hold (an empty Condition block always holds). */
export function evaluateConditions(conditions: readonly Condition[], ctx: ConditionContext): boolean {
  return conditions.every((c) => evaluateCondition(c, ctx));
}
