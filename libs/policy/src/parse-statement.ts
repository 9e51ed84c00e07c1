import { parseOperator } from './condition-operators';
import { parsePrincipal } from './principals';
import type { Condition, PatternSet, PolicyKind, PolicyVersion, PrincipalSet, Statement } from './types';
import { hasVariables } from './variables';

/**
 * Validation of one policy statement against the IAM JSON policy grammar. Messages name the element
 * path (`Statement[1].Condition.StringLike`) so an API caller can find the mistake.
 */
export interface StatementScope {
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  /** `Statement` or `Statement[3]`. */
  readonly path: string;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ACTION = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$/;
const CONDITION_KEY = /^[A-Za-z0-9*?-]+:.+$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Exactly one of `positive` / `Not<positive>`; undefined (and no error) when neither is present. */
function pickExclusive(raw: Record<string, unknown>, positive: string, path: string, errors: string[]) {
  const negative = `Not${positive}`;
  const hasPositive = Object.hasOwn(raw, positive);
  if (hasPositive && Object.hasOwn(raw, negative)) {
    errors.push(`${path} must not have both ${positive} and ${negative}`);
    return undefined;
  }
  if (hasPositive) return { negated: false, name: positive, value: raw[positive] };
  if (Object.hasOwn(raw, negative)) return { negated: true, name: negative, value: raw[negative] };
  return undefined;
}

function parsePatterns(
  element: { negated: boolean; name: string; value: unknown },
  check: (pattern: string) => string | undefined,
  path: string,
  errors: string[],
): PatternSet | undefined {
  const { value, name, negated } = element;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
    errors.push(`${path}.${name} must be a string or a non-empty array of strings`);
    return undefined;
  }
  const before = errors.length;
  for (const pattern of list as string[]) {
    const problem = check(pattern);
    if (problem) errors.push(`${path}.${name}: ${problem}`);
  }
  return errors.length > before ? undefined : { negated, patterns: list as string[] };
}

const checkAction = (a: string) => (a === '*' || ACTION.test(a) ? undefined : `"${a}" is not "*" or "service:ActionName"`);
const checkResource = (r: string) => (r === '*' || r.startsWith('arn:') ? undefined : `"${r}" is not "*" or an ARN`);

function parseConditions(raw: unknown, scope: StatementScope, errors: string[]): Condition[] {
  const path = `${scope.path}.Condition`;
  if (!isPlainObject(raw)) {
    errors.push(`${path} must be an object of { "Operator": { "key": value } }`);
    return [];
  }
  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    const parsed = parseOperator(operator);
    if (typeof parsed === 'string') {
      errors.push(`${path}: ${parsed}`);
      continue;
    }
    if (!isPlainObject(block) || Object.keys(block).length === 0) {
      errors.push(`${path}.${operator} must be an object naming at least one condition key`);
      continue;
    }
    for (const [key, value] of Object.entries(block)) {
      const where = `${path}.${operator}.${key}`;
      if (!CONDITION_KEY.test(key)) errors.push(`${where}: "${key}" is not a condition key ("service:Name")`);
      const list = Array.isArray(value) ? value : [value];
      const scalars = list.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
      if (list.length === 0 || !scalars) {
        errors.push(`${where} must be a string, number, boolean or a non-empty array of them`);
        continue;
      }
      const values = list.map(String);
      const variablesAllowed = parsed.spec.variables && scope.version === '2012-10-17';
      for (const v of values) {
        const problem = variablesAllowed && hasVariables(v) ? undefined : parsed.spec.validate(v);
        if (problem) errors.push(`${where}: ${problem}`);
      }
      conditions.push({
        operator,
        base: parsed.base,
        ...(parsed.qualifier ? { qualifier: parsed.qualifier } : {}),
        ifExists: parsed.ifExists,
        key,
        values,
      });
    }
  }
  return conditions;
}

function parsePrincipalElement(raw: Record<string, unknown>, effect: unknown, scope: StatementScope, errors: string[]) {
  const { path, kind } = scope;
  const element = pickExclusive(raw, 'Principal', path, errors);
  if (kind === 'identity') {
    if (element) errors.push(`${path}: ${element.name} is not allowed in an identity-based policy`);
    return undefined;
  }
  if (!element) {
    if (!Object.hasOwn(raw, 'Principal')) errors.push(`${path} must have Principal or NotPrincipal in a resource-based policy`);
    return undefined;
  }
  if (element.negated && effect !== 'Deny') {
    errors.push(`${path}: NotPrincipal is only supported with "Effect": "Deny"`);
    return undefined;
  }
  return parsePrincipal(element.value, element.negated, `${path}.${element.name}`, errors);
}

/** Validates one statement; pushes messages and returns undefined when it is not valid. */
export function parseStatement(raw: unknown, scope: StatementScope, errors: string[]): Statement | undefined {
  const { path, kind } = scope;
  if (!isPlainObject(raw)) {
    errors.push(`${path} must be an object`);
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) errors.push(`${path}: unknown element "${key}"`);
  }

  const sid = raw['Sid'];
  if (sid !== undefined && typeof sid !== 'string') errors.push(`${path}.Sid must be a string`);
  if (kind === 'identity' && typeof sid === 'string' && !/^[A-Za-z0-9]*$/.test(sid)) {
    errors.push(`${path}.Sid "${sid}" may contain only letters and digits in an identity-based policy`);
  }
  const effect = raw['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') errors.push(`${path}.Effect must be "Allow" or "Deny"`);

  const principal: PrincipalSet | undefined = parsePrincipalElement(raw, effect, scope, errors);

  const actionElement = pickExclusive(raw, 'Action', path, errors);
  if (!actionElement && !Object.hasOwn(raw, 'Action')) errors.push(`${path} must have Action or NotAction`);
  const action = actionElement && parsePatterns(actionElement, checkAction, path, errors);

  const resourceElement = pickExclusive(raw, 'Resource', path, errors);
  if (!resourceElement && kind === 'identity' && !Object.hasOwn(raw, 'Resource')) {
    errors.push(`${path} must have Resource or NotResource in an identity-based policy`);
  }
  const resource = resourceElement && parsePatterns(resourceElement, checkResource, path, errors);

  const conditions = raw['Condition'] === undefined ? [] : parseConditions(raw['Condition'], scope, errors);

  if (errors.length > before || !action || (effect !== 'Allow' && effect !== 'Deny')) return undefined;
  return {
    ...(typeof sid === 'string' ? { sid } : {}),
    effect,
    ...(principal ? { principal } : {}),
    action,
    ...(resource ? { resource } : {}),
    conditions,
  };
}
