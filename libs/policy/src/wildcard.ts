/**
 * IAM wildcard matching: `*` matches any run of characters (including none, including `/` and `:`),
 * `?` matches exactly one character, everything else is literal. There is no escape syntax in the
 * pattern text itself; a policy writes a literal `*` or `?` as the policy variable `${*}` / `${?}`,
 * which is why patterns are compiled to tokens that can carry literals the text could not.
 *
 * Matching is a linear-space two-pointer scan (no regular expressions), so hostile patterns such as
 * `*a*a*a*a*b` cannot trigger catastrophic backtracking.
 */
export type PatternToken = { readonly literal: string } | '*' | '?';

export interface WildcardOptions {
  /** IAM compares action names case-insensitively; ARNs and most condition values case-sensitively. */
  readonly ignoreCase?: boolean;
}

/** Every `*` and `?` in `text` is a wildcard. */
export function tokenizePattern(text: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  let literal = '';
  for (const ch of text) {
    if (ch === '*' || ch === '?') {
      if (literal) tokens.push({ literal });
      literal = '';
      tokens.push(ch);
    } else {
      literal += ch;
    }
  }
  if (literal) tokens.push({ literal });
  return tokens;
}

/** The text a pattern matches when its wildcards are taken literally (StringEquals with `${*}`). */
export function literalText(tokens: readonly PatternToken[]): string {
  return tokens.map((t) => (typeof t === 'string' ? t : t.literal)).join('');
}

type Unit = { readonly char: string } | '*' | '?';

function units(tokens: readonly PatternToken[], ignoreCase: boolean): Unit[] {
  const out: Unit[] = [];
  for (const token of tokens) {
    if (typeof token === 'string') {
      // Consecutive stars are one star; collapsing keeps the scan below linear in practice.
      if (token === '*' && out[out.length - 1] === '*') continue;
      out.push(token);
      continue;
    }
    for (const ch of token.literal) out.push({ char: ignoreCase ? ch.toLowerCase() : ch });
  }
  return out;
}

/** Whether `value` matches the compiled pattern as a whole (anchored at both ends). */
export function matchesTokens(tokens: readonly PatternToken[], value: string, options: WildcardOptions = {}): boolean {
  const ignoreCase = options.ignoreCase ?? false;
  const pattern = units(tokens, ignoreCase);
  const text = Array.from(ignoreCase ? value.toLowerCase() : value);
  let p = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const unit = pattern[p];
    if (unit === '*') {
      starAt = p++;
      resumeAt = t;
    } else if (unit !== undefined && (unit === '?' || unit.char === text[t])) {
      p++;
      t++;
    } else if (starAt >= 0) {
      // Let the last star swallow one more character and retry from just after it.
      p = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * IAM-style wildcard match of a whole string: `*` is any run of characters, `?` one character.
 * `matchesWildcard('ecr:Get*', 'ECR:GetAuthorizationToken', { ignoreCase: true })` is true.
 */
export function matchesWildcard(pattern: string, value: string, options: WildcardOptions = {}): boolean {
  return matchesTokens(tokenizePattern(pattern), value, options);
}

export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}
