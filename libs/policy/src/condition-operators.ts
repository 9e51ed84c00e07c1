import { arnLike } from './arn';
import { cidrContains, parseCidr, parseIpAddress } from './ip-address';
import type { ConditionFamily, SetQualifier } from './types';
import { literalText, matchesTokens, type PatternToken } from './wildcard';

/**
 * The IAM condition operator vocabulary. Each negated operator (`StringNotEquals`, `NotIpAddress`, …) is
 * stored as its positive twin plus `negated`: IAM defines "not" as "matches none of the policy values",
 * and a missing key makes a negated operator true, exactly the negation of the positive result.
 */
export interface OperatorSpec {
  readonly family: ConditionFamily;
  readonly negated: boolean;
  /** Whether `${…}` policy variables are substituted in this operator's values. */
  readonly variables: boolean;
  /** Parse-time check of one policy value: an error message, or undefined when acceptable. */
  validate(value: string): string | undefined;
  /** Positive comparison of one request value with one policy value. */
  matches(actual: string, expected: readonly PatternToken[]): boolean;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const EPOCH = /^[+-]?\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** ISO 8601 (UTC unless an offset is given) or epoch seconds → epoch milliseconds. */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH.test(trimmed)) return Number(trimmed) * 1000;
  const m = ISO_DATE.exec(trimmed);
  if (!m) return undefined;
  let normalized = trimmed;
  if (trimmed.includes('T') && !m[1]) normalized += 'Z';
  else if (m[1] && /^[+-]\d{4}$/.test(m[1])) normalized = `${trimmed.slice(0, -2)}:${trimmed.slice(-2)}`;
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

function decodeBase64(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    return atob(text);
  } catch {
    return undefined;
  }
}

const ok = (): undefined => undefined;
const expect = (test: (v: string) => boolean, what: string) => (v: string) => (test(v) ? undefined : `"${v}" is not ${what}`);

function comparison(
  family: 'Numeric' | 'Date',
  parse: (text: string) => number | undefined,
  compare: (actual: number, expected: number) => boolean,
  negated = false,
): OperatorSpec {
  return {
    family,
    negated,
    variables: false,
    validate: expect((v) => parse(v) !== undefined, family === 'Numeric' ? 'a number' : 'an ISO 8601 date or epoch time'),
    matches(actual, expected) {
      const a = parse(actual);
      const e = parse(literalText(expected));
      return a !== undefined && e !== undefined && compare(a, e);
    },
  };
}

function text(negated: boolean, compare: (actual: string, expected: readonly PatternToken[]) => boolean): OperatorSpec {
  return { family: 'String', negated, variables: true, validate: ok, matches: compare };
}

const equals = (a: string, e: readonly PatternToken[]) => a === literalText(e);
const equalsIgnoreCase = (a: string, e: readonly PatternToken[]) => a.toLowerCase() === literalText(e).toLowerCase();
const like = (a: string, e: readonly PatternToken[]) => matchesTokens(e, a);

const eq = (a: number, e: number) => a === e;
const lt = (a: number, e: number) => a < e;
const le = (a: number, e: number) => a <= e;
const gt = (a: number, e: number) => a > e;
const ge = (a: number, e: number) => a >= e;

function arn(negated: boolean): OperatorSpec {
  return { family: 'Arn', negated, variables: true, validate: ok, matches: (a, e) => arnLike(e, a) };
}

function ip(negated: boolean): OperatorSpec {
  return {
    family: 'IpAddress',
    negated,
    variables: false,
    validate: expect((v) => parseCidr(v) !== undefined, 'an IPv4 or IPv6 address or CIDR block'),
    matches(actual, expected) {
      const address = parseIpAddress(actual.trim());
      const block = parseCidr(literalText(expected).trim());
      return address !== undefined && block !== undefined && cidrContains(block, address);
    },
  };
}

const isBool = (v: string) => v.toLowerCase() === 'true' || v.toLowerCase() === 'false';

export const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: text(false, equals),
  StringNotEquals: text(true, equals),
  StringEqualsIgnoreCase: text(false, equalsIgnoreCase),
  StringNotEqualsIgnoreCase: text(true, equalsIgnoreCase),
  StringLike: text(false, like),
  StringNotLike: text(true, like),
  NumericEquals: comparison('Numeric', parseNumber, eq),
  NumericNotEquals: comparison('Numeric', parseNumber, eq, true),
  NumericLessThan: comparison('Numeric', parseNumber, lt),
  NumericLessThanEquals: comparison('Numeric', parseNumber, le),
  NumericGreaterThan: comparison('Numeric', parseNumber, gt),
  NumericGreaterThanEquals: comparison('Numeric', parseNumber, ge),
  DateEquals: comparison('Date', parseDate, eq),
  DateNotEquals: comparison('Date', parseDate, eq, true),
  DateLessThan: comparison('Date', parseDate, lt),
  DateLessThanEquals: comparison('Date', parseDate, le),
  DateGreaterThan: comparison('Date', parseDate, gt),
  DateGreaterThanEquals: comparison('Date', parseDate, ge),
  Bool: {
    family: 'Bool',
    negated: false,
    variables: true,
    validate: expect(isBool, 'true or false'),
    matches: (a, e) => isBool(a) && a.toLowerCase() === literalText(e).toLowerCase(),
  },
  BinaryEquals: {
    family: 'Binary',
    negated: false,
    variables: false,
    validate: expect((v) => decodeBase64(v) !== undefined, 'base64'),
    matches(actual, expected) {
      const a = decodeBase64(actual);
      return a !== undefined && a === decodeBase64(literalText(expected));
    },
  },
  IpAddress: ip(false),
  NotIpAddress: ip(true),
  ArnEquals: arn(false),
  ArnLike: arn(false),
  ArnNotEquals: arn(true),
  ArnNotLike: arn(true),
  Null: { family: 'Null', negated: false, variables: false, validate: expect(isBool, 'true or false'), matches: () => false },
};

export interface ParsedOperator {
  readonly base: string;
  readonly spec: OperatorSpec;
  readonly qualifier?: SetQualifier;
  readonly ifExists: boolean;
}

/** `ForAnyValue:StringNotEqualsIfExists` → its parts; an error message for anything IAM does not know. */
export function parseOperator(name: string): ParsedOperator | string {
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? undefined : name.slice(0, colon);
  if (prefix !== undefined && prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') {
    return `unknown set operator "${prefix}" (expected ForAnyValue or ForAllValues)`;
  }
  const rest = colon < 0 ? name : name.slice(colon + 1);
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const spec = Object.hasOwn(OPERATORS, base) ? OPERATORS[base] : undefined;
  if (!spec) return `unknown condition operator "${name}"`;
  if (base === 'Null' && (ifExists || prefix)) return `"${name}" is not valid: Null takes neither IfExists nor a set operator`;
  return { base, spec, ...(prefix ? { qualifier: prefix } : {}), ifExists };
}
