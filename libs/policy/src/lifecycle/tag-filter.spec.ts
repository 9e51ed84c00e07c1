import { compileTagFilter, patternMatcher } from './tag-filter';

describe('patternMatcher', () => {
  it.each([
    ['prod*', 'prod', true],
    ['prod*', 'production-team1', true],
    ['prod*', 'preprod', false],
    ['*prod*', 'repo-production', true],
    ['*prod*', 'prod-team', true],
    ['*prod*', 'staging', false],
    ['latest', 'latest', true],
    ['latest', 'latest-1', false],
    ['*-sha-*', 'main-sha-abc123', true],
    ['*-sha-*', 'sha-abc', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['v?', 'v1', false],
    ['v?', 'v?', true],
    ['*', '', true],
  ])('%s against %s is %s', (pattern, tag, expected) => {
    expect(patternMatcher(pattern)(tag)).toBe(expected);
  });
});

describe('compileTagFilter', () => {
  const base = { countType: 'imageCountMoreThan', countNumber: 1 } as const;

  it('needs every list entry to match some tag of the image', () => {
    const matches = compileTagFilter({ ...base, tagStatus: 'tagged', tagPatternList: ['alpha*', 'beta*'] });
    expect(matches(['alpha-2', 'beta-2'])).toBe(true);
    expect(matches(['beta-2', 'gamma', 'alpha-2'])).toBe(true);
    expect(matches(['alpha-1'])).toBe(false);
    expect(matches([])).toBe(false);
  });

  it('matches prefixes literally', () => {
    const matches = compileTagFilter({ ...base, tagStatus: 'tagged', tagPrefixList: ['v1.*'] });
    expect(matches(['v1.*x'])).toBe(true);
    expect(matches(['v1.2'])).toBe(false);
  });

  it('selects by the presence of tags for untagged and any', () => {
    expect(compileTagFilter({ ...base, tagStatus: 'untagged' })([])).toBe(true);
    expect(compileTagFilter({ ...base, tagStatus: 'untagged' })(['x'])).toBe(false);
    expect(compileTagFilter({ ...base, tagStatus: 'any' })(['x'])).toBe(true);
    expect(compileTagFilter({ ...base, tagStatus: 'any' })([])).toBe(true);
  });
});
