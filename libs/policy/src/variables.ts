import { type PatternToken, tokenizePattern } from './wildcard';

/**
 * IAM policy variables (Version 2012-10-17 only; a 2008-10-17 policy keeps `${…}` as literal text):
 *
 *   ${aws:username}              the request-context value of the key (key names are case-insensitive)
 *   ${aws:PrincipalTag/team, 'x'} the value, or the quoted default when the key has no value ('' escapes ')
 *   ${*}  ${?}  ${$}             a literal `*`, `?`, `$` (never a wildcard)
 *
 * Substitution happens once (a substituted value is never re-scanned) and substituted values are
 * literal: a tag value of `*` must not widen a Resource into "everything". A key that is missing or
 * multivalued, with no default, leaves the variable unresolved: the caller decides what "no value"
 * means for the element (for IAM: the value does not match).
 */
export type VariableResolver = (key: string) => string | undefined;

const SPECIALS: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

interface Variable {
  readonly key: string;
  readonly fallback?: string;
  /** Index just past the closing brace. */
  readonly end: number;
}

/** Reads `${…}` starting at `start` (which points at `$`); undefined when it is not a well-formed variable. */
function readVariable(text: string, start: number): Variable | undefined {
  const close = text.indexOf('}', start + 2);
  if (close < 0) return undefined;
  const body = text.slice(start + 2, close);
  const comma = body.indexOf(',');
  if (comma < 0) {
    const key = body.trim();
    return key && !/\s/.test(key) ? { key, end: close + 1 } : undefined;
  }
  const key = body.slice(0, comma).trim();
  if (!key || /\s/.test(key)) return undefined;
  // The default is single-quoted and may contain `}` and doubled quotes, so scan it by hand.
  let i = text.indexOf("'", start + 2 + comma);
  if (i < 0 || text.slice(start + 2 + comma + 1, i).trim() !== '') return undefined;
  let fallback = '';
  for (i++; i < text.length; i++) {
    if (text[i] !== "'") {
      fallback += text[i];
    } else if (text[i + 1] === "'") {
      fallback += "'";
      i++;
    } else {
      const end = text.indexOf('}', i + 1);
      if (end < 0 || text.slice(i + 1, end).trim() !== '') return undefined;
      return { key, fallback, end: end + 1 };
    }
  }
  return undefined;
}

/** Whether the text uses any `${…}` construct (so parse-time checks can reject them where IAM does). */
export function hasVariables(text: string): boolean {
  return text.includes('${');
}

/**
 * Compiles policy text to wildcard tokens with variables substituted. Undefined when a variable has no
 * value and no default. Malformed `${` sequences stay literal text.
 */
export function substituteVariables(text: string, resolve: VariableResolver): PatternToken[] | undefined {
  const tokens: PatternToken[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) break;
    const variable = readVariable(text, start);
    if (!variable) {
      plain += text.slice(i, start + 2);
      i = start + 2;
      continue;
    }
    plain += text.slice(i, start);
    tokens.push(...tokenizePattern(plain));
    plain = '';
    const special = SPECIALS[variable.key];
    const value = special ?? resolve(variable.key) ?? variable.fallback;
    if (value === undefined) return undefined;
    if (value) tokens.push({ literal: value });
    i = variable.end;
  }
  tokens.push(...tokenizePattern(plain + text.slice(i)));
  return tokens;
}
