import { substituteVariables } from './variables';
import { literalText, matchesTokens } from './wildcard';

const context: Record<string, string> = { 'aws:username': 'alice', 'aws:principaltag/team': 'core' };
const resolve = (key: string) => context[key.toLowerCase()];
const text = (template: string) => {
  const tokens = substituteVariables(template, resolve);
  return tokens && literalText(tokens);
};

describe('substituteVariables', () => {
  it.each<[string, string | undefined]>([
    ['repository/${aws:username}/*', 'repository/alice/*'],
    ['${AWS:UserName}', 'alice'],
    ['${aws:PrincipalTag/team}-${aws:username}', 'core-alice'],
    ["${aws:userid, 'nobody'}", 'nobody'],
    ["${ aws:userid , 'it''s' }", "it's"],
    ["${aws:userid, 'a}b'}", 'a}b'],
    ["${aws:username, 'ignored'}", 'alice'],
    ['${*}${?}${$}', '*?$'],
    ['${aws:userid}', undefined],
    ['no variables', 'no variables'],
    ['${unterminated', '${unterminated'],
    ['${}', '${}'],
  ])('%s → %s', (template, expected) => {
    expect(text(template)).toBe(expected);
  });

  it('keeps ${*} literal but leaves a written * a wildcard', () => {
    const tokens = substituteVariables('${*}/*', resolve) ?? [];
    expect(matchesTokens(tokens, '*/anything')).toBe(true);
    expect(matchesTokens(tokens, 'x/anything')).toBe(false);
  });

  it('never treats a substituted value as a wildcard', () => {
    const tokens = substituteVariables('repository/${aws:PrincipalTag/owner}', () => '*') ?? [];
    expect(matchesTokens(tokens, 'repository/anything')).toBe(false);
    expect(matchesTokens(tokens, 'repository/*')).toBe(true);
  });

  it('substitutes once: a default that looks like a variable stays text', () => {
    expect(text("${aws:userid, '${aws:username}'}")).toBe('${aws:username}');
  });
});
