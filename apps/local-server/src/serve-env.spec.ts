import { randomBytes } from 'node:crypto';
import { readServeEnvironment } from './serve-env';

describe('readServeEnvironment', () => {
  it('reads nothing from an environment without the variables', () => {
    expect(readServeEnvironment({})).toEqual({});
    expect(readServeEnvironment({ CARGOHOLD_TOKEN_KEY_BASE64: '', CARGOHOLD_IDENTITIES_JSON: '' })).toEqual({});
  });

  it('takes the token key and the identities', () => {
    const key = randomBytes(32);
    const identities = { accounts: [{ id: '111122223333', users: [{ name: 'ci', accessKeys: [{ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' }] }] }] };

    const read = readServeEnvironment({ CARGOHOLD_TOKEN_KEY_BASE64: key.toString('base64'), CARGOHOLD_IDENTITIES_JSON: JSON.stringify(identities) });

    expect(read.tokenKey?.equals(key)).toBe(true);
    expect(read.identities).toEqual(identities);
  });

  it.each([
    [{ CARGOHOLD_TOKEN_KEY_BASE64: randomBytes(16).toString('base64') }, 'CARGOHOLD_TOKEN_KEY_BASE64'],
    [{ CARGOHOLD_TOKEN_KEY_BASE64: 'not base64 at all!' }, 'CARGOHOLD_TOKEN_KEY_BASE64'],
    [{ CARGOHOLD_IDENTITIES_JSON: '{' }, 'not valid JSON'],
    [{ CARGOHOLD_IDENTITIES_JSON: '{"accounts":"x"}' }, 'CARGOHOLD_IDENTITIES_JSON is invalid'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => readServeEnvironment(env)).toThrow(message);
  });
});
