import type { LifecycleSelection } from './types';

/** Whether an image's tags satisfy a rule's tagStatus and tag lists. */
export type TagFilter = (tags: readonly string[]) => boolean;

/**
 * Compiles a selection's tag requirements once per evaluation. Lists are AND across their entries and
 * OR across the image's tags: an image matches when every entry matches at least one of its tags
 * (ECR: "an image is successfully matched if all of the tags in the tagPatternList or tagPrefixList
 * value are matched against any of the image's tags"; its examples select ["alpha-2", "beta-2"] with
 * ["alpha*", "beta*"] and not ["alpha-1"]).
 */
export function compileTagFilter(selection: LifecycleSelection): TagFilter {
  switch (selection.tagStatus) {
    case 'any':
      return () => true;
    case 'untagged':
      return (tags) => tags.length === 0;
    case 'tagged': {
      const entries = selection.tagPrefixList?.map(prefixMatcher) ?? selection.tagPatternList?.map(patternMatcher) ?? [];
      return (tags) => tags.length > 0 && entries.every((matches) => tags.some(matches));
    }
  }
}

function prefixMatcher(prefix: string): (tag: string) => boolean {
  return (tag) => tag.startsWith(prefix);
}

/**
 * A tagPatternList entry: `*` matches any run of characters (including none), everything else is
 * literal. ECR has no `?` and no escapes. Matching is anchored at both ends and runs in linear time:
 * the first segment must be a prefix, the last a suffix, and the ones between are found leftmost-first
 * in order, which is exact for star-only globs (no backtracking is ever needed).
 */
export function patternMatcher(pattern: string): (tag: string) => boolean {
  const segments = pattern.split('*');
  if (segments.length === 1) return (tag) => tag === pattern;
  const first = segments[0] as string;
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const minLength = first.length + last.length + middle.reduce((sum, segment) => sum + segment.length, 0);
  return (tag) => {
    if (tag.length < minLength || !tag.startsWith(first) || !tag.endsWith(last)) return false;
    let at = first.length;
    const end = tag.length - last.length;
    for (const segment of middle) {
      const found = tag.indexOf(segment, at);
      if (found < 0 || found + segment.length > end) return false;
      at = found + segment.length;
    }
    return true;
  };
}
