import { pageTokens } from './page-token';

const KEY = Buffer.alloc(32, 1);

describe('pageTokens', () => {
  const tokens = pageTokens(KEY, 'DescribeRepositories');

  it('opens what it sealed, and seals no cursor as no token', () => {
    const token = tokens.seal('000000000000:us-east-1', 'team/app') as string;

    expect(tokens.open('000000000000:us-east-1', token)).toBe('team/app');
    expect(tokens.seal('000000000000:us-east-1', undefined)).toBeUndefined();
    expect(tokens.open('000000000000:us-east-1', undefined)).toBeUndefined();
  });

  it('hides the cursor: the token shows neither it nor its base64', () => {
    const token = tokens.seal('r', 'secret/repository') as string;

    expect(token).not.toContain('secret');
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('secret');
  });

  it.each([
    ['garbage', () => 'not-a-token'],
    ['a token with one character changed', () => flip(tokens.seal('r', 'team/app') as string)],
    ['a token of another scope', () => tokens.seal('other', 'team/app') as string],
    ['a token of another operation', () => pageTokens(KEY, 'ListImages').seal('r', 'team/app') as string],
    ['a token sealed under another key', () => pageTokens(Buffer.alloc(32, 2), 'DescribeRepositories').seal('r', 'team/app') as string],
  ])('refuses %s with InvalidParameterException', (_case, token) => {
    expect(() => tokens.open('r', token())).toThrow(expect.objectContaining({ awsName: 'InvalidParameterException' }));
  });
});

function flip(token: string): string {
  const middle = Math.floor(token.length / 2);
  return `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
}
