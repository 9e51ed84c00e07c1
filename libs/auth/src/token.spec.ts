import { createHmac, randomBytes } from 'node:crypto';
import { basicCredentialsFromHeader, encodeAuthorizationToken, issueToken, unverifiedTokenRegistry, verifyToken } from './token';

const KEY = randomBytes(32);
const ISSUED = new Date('2026-01-01T00:00:00.123Z');
const HOUR = 60 * 60 * 1000;
const CLAIMS = { accountId: '123456789012', principalArn: 'arn:aws:iam::123456789012:user/ci', registry: '123456789012:us-east-1' };

/** Replaces the character at `index` (negative: from the end) with another base64url character. */
function flip(token: string, index: number): string {
  const at = index < 0 ? token.length + index : index;
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}

describe('issueToken / verifyToken', () => {
  it('round-trips the claims, valid for 12 hours by default', () => {
    const { token, expiresAt } = issueToken(CLAIMS, KEY, { now: ISSUED });

    expect(expiresAt).toEqual(new Date(ISSUED.getTime() + 12 * HOUR));
    expect(verifyToken(token, KEY, { now: new Date(ISSUED.getTime() + 11 * HOUR), registry: CLAIMS.registry })).toEqual({
      ok: true,
      claims: { ...CLAIMS, issuedAt: ISSUED, expiresAt },
    });
  });

  it('uses only characters a Basic-auth password and a docker config carry unchanged', () => {
    const { token } = issueToken(CLAIMS, KEY, { now: ISSUED });

    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('is expired from expiresAt on', () => {
    const { token, expiresAt } = issueToken(CLAIMS, KEY, { now: ISSUED, ttlMs: HOUR });

    expect(verifyToken(token, KEY, { now: new Date(expiresAt.getTime() - 1) }).ok).toBe(true);
    expect(verifyToken(token, KEY, { now: expiresAt })).toEqual({ ok: false, reason: 'expired' });
  });

  it('is refused as forged when the payload or the signature was altered, or another key signed it', () => {
    const { token } = issueToken(CLAIMS, KEY, { now: ISSUED });
    const forged = { ok: false, reason: 'forged' };

    expect(verifyToken(flip(token, 5), KEY, { now: ISSUED })).toEqual(forged);
    expect(verifyToken(flip(token, -3), KEY, { now: ISSUED })).toEqual(forged);
    expect(verifyToken(token, randomBytes(32), { now: ISSUED })).toEqual(forged);
  });

  it('has exactly one accepted spelling: the spare bits of the last MAC character must be zero', () => {
    const { token } = issueToken(CLAIMS, KEY, { now: ISSUED });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1) ?? '');
    // The last of 43 characters carries 4 MAC bits and 2 spare ones: the same MAC has 4 spellings.
    const spellings = [0, 1, 2, 3].map((spare) => token.slice(0, -1) + alphabet[(last & ~3) | spare]);

    expect(spellings.filter((spelling) => verifyToken(spelling, KEY, { now: ISSUED }).ok)).toEqual([token]);
    for (const spelling of spellings.filter((s) => s !== token))
      expect(verifyToken(spelling, KEY, { now: ISSUED })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('is refused as forged when someone re-encodes the claims with a longer expiry', () => {
    const { token } = issueToken(CLAIMS, KEY, { now: ISSUED });
    const [version, payload, mac] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const extended = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 100 * HOUR })).toString('base64url');

    expect(verifyToken(`${version}.${extended}.${mac}`, KEY, { now: ISSUED })).toEqual({ ok: false, reason: 'forged' });
  });

  it('is refused for another registry when bound to one, and accepted anywhere when not', () => {
    const bound = issueToken(CLAIMS, KEY, { now: ISSUED }).token;
    const unbound = issueToken({ accountId: CLAIMS.accountId, principalArn: CLAIMS.principalArn }, KEY, { now: ISSUED }).token;

    expect(verifyToken(bound, KEY, { now: ISSUED, registry: '123456789012:eu-west-1' })).toEqual({ ok: false, reason: 'wrong-registry' });
    expect(verifyToken(unbound, KEY, { now: ISSUED, registry: '123456789012:eu-west-1' })).toMatchObject({ ok: true });
  });

  it.each([
    ['empty', ''],
    ['one part', 'v1'],
    ['unknown version', 'v2.e30.AAAA'],
    ['four parts', 'v1.e30.AAAA.AAAA'],
    ['not base64url', 'v1.e30=.AAAA'],
    ['a Basic header', 'Basic QVdTOnRva2Vu'],
  ])('is refused as malformed: %s', (_case, token) => {
    expect(verifyToken(token, KEY, { now: ISSUED })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('is refused as malformed when correctly signed but not claims (a payload this code never issues)', () => {
    const payload = Buffer.from(JSON.stringify({ acct: '123456789012' })).toString('base64url');
    const mac = createHmac('sha256', KEY).update(`v1.${payload}`).digest('base64url');

    expect(verifyToken(`v1.${payload}.${mac}`, KEY, { now: ISSUED })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a key shorter than 32 bytes rather than sign weakly', () => {
    expect(() => issueToken(CLAIMS, randomBytes(16), { now: ISSUED })).toThrow(RangeError);
    expect(() => verifyToken('v1.e30.AAAA', new Uint8Array(0), { now: ISSUED })).toThrow(RangeError);
  });
});

describe('upload capabilities', () => {
  const UPLOAD = { repository: 'team/app', uploadId: '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b' };

  it('round-trip the upload they continue', () => {
    const { token, expiresAt } = issueToken({ ...CLAIMS, upload: UPLOAD }, KEY, { now: ISSUED, ttlMs: HOUR });

    expect(verifyToken(token, KEY, { now: ISSUED, registry: CLAIMS.registry })).toEqual({
      ok: true,
      claims: { ...CLAIMS, upload: UPLOAD, issuedAt: ISSUED, expiresAt },
    });
  });

  it('cannot be moved to another upload: the upload id is under the MAC', () => {
    const { token } = issueToken({ ...CLAIMS, upload: UPLOAD }, KEY, { now: ISSUED });
    const [version, payload, mac] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const moved = Buffer.from(JSON.stringify({ ...claims, up: { ...claims.up, id: '00000000-0000-4000-8000-000000000000' } })).toString('base64url');

    expect(verifyToken(`${version}.${moved}.${mac}`, KEY, { now: ISSUED })).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('unverifiedTokenRegistry', () => {
  it('names the registry a token claims, without checking it', () => {
    const { token } = issueToken(CLAIMS, KEY, { now: ISSUED });

    expect(unverifiedTokenRegistry(token)).toBe(CLAIMS.registry);
    expect(unverifiedTokenRegistry(flip(token, -3))).toBe(CLAIMS.registry);
  });

  it.each(['', 'v1', 'v2.e30.AAAA', 'v1.not*base64.AAAA', `v1.${Buffer.from('{').toString('base64url')}.AAAA`])('gives nothing for %j', (token) => {
    expect(unverifiedTokenRegistry(token)).toBeUndefined();
  });
});

describe('encodeAuthorizationToken', () => {
  it('is base64 of AWS:<token>, which docker login splits back into user and password', () => {
    const encoded = encodeAuthorizationToken('v1.abc.def');

    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe('AWS:v1.abc.def');
    expect(basicCredentialsFromHeader(`Basic ${encoded}`)).toEqual({ username: 'AWS', password: 'v1.abc.def' });
  });
});

describe('basicCredentialsFromHeader', () => {
  const basic = (userPass: string) => Buffer.from(userPass, 'utf8').toString('base64');

  it('accepts the scheme in any case and surrounding spaces', () => {
    expect(basicCredentialsFromHeader(`basic ${basic('AWS:t')}`)).toEqual({ username: 'AWS', password: 't' });
    expect(basicCredentialsFromHeader(`  BASIC   ${basic('AWS:t')} `)).toEqual({ username: 'AWS', password: 't' });
  });

  it('splits at the first colon only', () => {
    expect(basicCredentialsFromHeader(`Basic ${basic('AWS:a:b:')}`)).toEqual({ username: 'AWS', password: 'a:b:' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['another scheme', `Bearer ${basic('AWS:t')}`],
    ['no credentials', 'Basic '],
    ['not base64', 'Basic not*base64'],
    ['no colon', `Basic ${basic('AWS')}`],
    ['not UTF-8', `Basic ${Buffer.from([0x41, 0x3a, 0xff, 0xfe]).toString('base64')}`],
  ])('gives nothing when %s', (_case, header) => {
    expect(basicCredentialsFromHeader(header)).toBeUndefined();
  });
});
