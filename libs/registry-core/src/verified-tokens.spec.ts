import type { VerifiedTokenClaims } from '@cargohold/auth';
import { VerifiedTokens } from './verified-tokens';

const now = new Date('2026-06-01T00:00:00Z');
const claimsFor = (name: string, expiresAt = new Date('2026-06-01T12:00:00Z'), registry?: string): VerifiedTokenClaims => ({
  accountId: '000000000000',
  principalArn: `arn:aws:iam::000000000000:user/${name}`,
  issuedAt: new Date('2026-06-01T00:00:00Z'),
  expiresAt,
  ...(registry ? { registry } : {}),
});

/** A header as node:http hands it over: equal text, a different string each request. */
const fresh = (text: string) => [...text].join('');

describe('VerifiedTokens', () => {
  it('answers each header its own claims, whichever header came last', () => {
    const tokens = new VerifiedTokens();
    const alice = claimsFor('alice');
    const bob = claimsFor('bob');
    tokens.remember('Basic alice', alice);
    tokens.remember('Basic bob', bob);
    for (const [header, claims] of [
      ['Basic alice', alice],
      ['Basic alice', alice],
      ['Basic bob', bob],
      ['Basic alice', alice],
    ] as const) {
      expect(tokens.get(fresh(header), now, 'r')).toBe(claims);
    }
    expect(tokens.get('Basic carol', now, 'r')).toBeUndefined();
  });

  it('still holds a header seen last to its expiry and registry', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('Basic short', claimsFor('short', new Date('2026-06-01T00:00:01Z'), 'r'));
    expect(tokens.get('Basic short', now, 'r')).toBeDefined();
    expect(tokens.get('Basic short', now, 'other')).toBeUndefined();
    expect(tokens.get('Basic short', new Date('2026-06-01T00:00:01Z'), 'r')).toBeUndefined();
  });

  it('forgets every header when full, the one seen last included', () => {
    const tokens = new VerifiedTokens(2);
    tokens.remember('Basic a', claimsFor('a'));
    tokens.remember('Basic b', claimsFor('b'));
    expect(tokens.get('Basic a', now, 'r')).toBeDefined();
    tokens.remember('Basic c', claimsFor('c'));
    expect(tokens.get('Basic a', now, 'r')).toBeUndefined();
    expect(tokens.get('Basic c', now, 'r')).toBeDefined();
  });
});
