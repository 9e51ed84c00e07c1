/**
 * Alpine version ordering, as apk-tools compares versions:
 * `digit{.digit}…{letter}{_suffix{number}}…{~hash}{-r number}`.
 *
 * Versions are read as a sequence of typed tokens and compared token by token while both have the same
 * token type. Pre-release suffixes (`_alpha` < `_beta` < `_pre` < `_rc`) sort before the bare version,
 * post-release ones (`_cvs` < `_svn` < `_git` < `_hg` < `_p`) after it. When one version runs out first
 * the longer one is greater, unless what it has next is a pre-release suffix. Digit groups with a leading
 * zero (other than the first) compare as strings, as in Gentoo.
 */
export function compareApkVersions(a: string, b: string): number {
  const ta = tokenize(a.trim());
  const tb = tokenize(b.trim());
  let i = 0;
  for (; i < ta.length && i < tb.length; i++) {
    const x = ta[i] as Token;
    const y = tb[i] as Token;
    if (x.type !== y.type || x.type >= Type.End) break;
    const r = compareTokens(x, y);
    if (r !== 0) return r;
  }
  const x = ta[i] ?? END;
  const y = tb[i] ?? END;
  if (x.type === y.type) return 0;
  if (x.type === Type.Suffix && (x.suffix as number) < SUFFIX_NONE) return -1;
  if (y.type === Type.Suffix && (y.suffix as number) < SUFFIX_NONE) return 1;
  return x.type > y.type ? -1 : 1;
}

/** Whether apk itself would accept the version string. */
export function isValidApkVersion(version: string): boolean {
  const tokens = tokenize(version.trim());
  return tokens.length > 0 && tokens.every((t) => t.type !== Type.Invalid);
}

enum Type {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  CommitHash,
  Revision,
  End,
  Invalid,
}

interface Token {
  type: Type;
  value: string;
  number?: bigint;
  suffix?: number;
}

const END: Token = { type: Type.End, value: '' };
const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];
/** Suffix ranks: pre-release suffixes below SUFFIX_NONE, post-release ones above. */
const SUFFIX_NONE = PRE_SUFFIXES.length;

function tokenize(version: string): Token[] {
  const tokens: Token[] = [];
  const first = /^\d+/.exec(version);
  if (!first) return [{ type: Type.Invalid, value: version }];
  tokens.push(digits(Type.InitialDigit, first[0]));
  let rest = version.slice(first[0].length);
  let previous = Type.InitialDigit;
  while (rest.length > 0) {
    const token = nextToken(rest, previous);
    tokens.push(token.token);
    if (token.token.type === Type.Invalid) break;
    previous = token.token.type;
    rest = rest.slice(token.length);
  }
  return tokens;
}

function nextToken(rest: string, previous: Type): { token: Token; length: number } {
  const invalid = { token: { type: Type.Invalid, value: rest }, length: rest.length };
  const c = rest[0] as string;
  if (c >= 'a' && c <= 'z') {
    return previous > Type.Digit ? invalid : { token: { type: Type.Letter, value: c }, length: 1 };
  }
  if (c === '.' || (c >= '0' && c <= '9')) {
    const skip = c === '.' ? 1 : 0;
    if (c === '.' && previous > Type.Digit) return invalid;
    const type = previous <= Type.Digit ? Type.Digit : previous === Type.Suffix ? Type.SuffixNumber : Type.Invalid;
    const run = /^\d+/.exec(rest.slice(skip));
    if (type === Type.Invalid || !run) return invalid;
    return { token: digits(type, run[0]), length: skip + run[0].length };
  }
  if (c === '_') {
    if (previous > Type.SuffixNumber) return invalid;
    const name = /^[a-z]*/.exec(rest.slice(1))?.[0] ?? '';
    const pre = PRE_SUFFIXES.indexOf(name);
    const post = POST_SUFFIXES.indexOf(name);
    if (pre < 0 && post < 0) return invalid;
    const suffix = pre >= 0 ? pre : SUFFIX_NONE + 1 + post;
    return { token: { type: Type.Suffix, value: name, suffix }, length: 1 + name.length };
  }
  if (c === '~') {
    const hash = /^[0-9a-fA-F]*/.exec(rest.slice(1))?.[0] ?? '';
    if (previous >= Type.CommitHash || hash === '') return invalid;
    return { token: { type: Type.CommitHash, value: hash }, length: 1 + hash.length };
  }
  if (c === '-') {
    const revision = /^-r(\d+)/.exec(rest);
    if (previous >= Type.Revision || !revision) return invalid;
    return { token: digits(Type.Revision, revision[1] as string), length: revision[0].length };
  }
  return invalid;
}

function digits(type: Type, value: string): Token {
  return { type, value, number: BigInt(value) };
}

function compareTokens(x: Token, y: Token): number {
  switch (x.type) {
    case Type.Digit:
      if (x.value.startsWith('0') || y.value.startsWith('0')) return compareStrings(x.value, y.value);
      return compareNumbers(x.number as bigint, y.number as bigint);
    case Type.InitialDigit:
    case Type.SuffixNumber:
    case Type.Revision:
      return compareNumbers(x.number as bigint, y.number as bigint);
    case Type.Letter:
      return compareStrings(x.value, y.value);
    case Type.Suffix:
      return compareNumbers(BigInt(x.suffix as number), BigInt(y.suffix as number));
    default:
      return compareStrings(x.value, y.value);
  }
}

function compareNumbers(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Byte order on the common prefix, then the shorter first (apk's blob sort). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
