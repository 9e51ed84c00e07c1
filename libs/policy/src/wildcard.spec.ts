import { matchesWildcard } from './wildcard';

describe('matchesWildcard', () => {
  it.each<[string, string, boolean, boolean]>([
    ['ecr:GetAuthorizationToken', 'ecr:GetAuthorizationToken', false, true],
    ['*', '', false, true],
    ['*', 'anything:at/all', false, true],
    ['ecr:Get*', 'ecr:GetDownloadUrlForLayer', false, true],
    ['ecr:Get*', 'ecr:get', false, false],
    ['ecr:Get*', 'ECR:GETDOWNLOADURLFORLAYER', true, true],
    ['ecr:?etImage', 'ecr:PutImage', false, false],
    ['ecr:??tImage', 'ecr:PutImage', false, true],
    ['a?c', 'ac', false, false],
    ['*/app', 'team/sub/app', false, true],
    ['a*b*c', 'aXbYbZc', false, true],
    ['a*b*c', 'aXbYbZ', false, false],
    ['**', 'x', false, true],
    ['abc', 'abcd', false, false],
    ['abc*', 'ab', false, false],
  ])('%s against %s (ignoreCase %s) is %s', (pattern, value, ignoreCase, expected) => {
    expect(matchesWildcard(pattern, value, { ignoreCase })).toBe(expected);
  });

  it('stays fast on patterns that make naive backtracking explode', () => {
    const started = Date.now();
    expect(matchesWildcard('*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
