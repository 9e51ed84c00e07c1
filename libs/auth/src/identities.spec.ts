import { IdentityConfigSchema, IdentityDirectory, defaultIdentityConfig } from './identities';
import type { IdentityConfig } from './identities';

const READ_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }] };

const CONFIG: IdentityConfig = {
  accounts: [
    {
      id: '123456789012',
      region: 'eu-west-1',
      users: [{ name: 'ci', accessKeys: [{ accessKeyId: 'AKIACI', secretAccessKey: 'ci-secret' }], policies: [READ_ONLY] }],
      roles: [
        {
          name: 'deployer',
          arn: 'arn:aws:iam::123456789012:role/teams/deployer',
          accessKeys: [
            { accessKeyId: 'AKIADEPLOY1', secretAccessKey: 'one' },
            { accessKeyId: 'AKIADEPLOY2', secretAccessKey: 'two' },
          ],
        },
      ],
    },
    { id: '210987654321' },
  ],
};

describe('IdentityDirectory', () => {
  const directory = new IdentityDirectory(CONFIG);

  describe('lookupAccessKey', () => {
    it('resolves a user key to its secret and the user, with the ARN derived from account and name', () => {
      expect(directory.lookupAccessKey('AKIACI')).toEqual({
        secretAccessKey: 'ci-secret',
        principal: { accountId: '123456789012', arn: 'arn:aws:iam::123456789012:user/ci' },
      });
    });

    it('resolves every key of a role to the role, with its configured ARN', () => {
      const role = { accountId: '123456789012', arn: 'arn:aws:iam::123456789012:role/teams/deployer' };

      expect(directory.lookupAccessKey('AKIADEPLOY1')).toEqual({ secretAccessKey: 'one', principal: role });
      expect(directory.lookupAccessKey('AKIADEPLOY2')).toEqual({ secretAccessKey: 'two', principal: role });
    });

    it('knows nothing of other keys', async () => {
      expect(directory.lookupAccessKey('AKIAUNKNOWN')).toBeUndefined();
      await expect(directory.credentialLookup('AKIAUNKNOWN')).resolves.toBeUndefined();
    });

    it('is also available as the CredentialLookup verifySigV4 takes', async () => {
      await expect(directory.credentialLookup('AKIACI')).resolves.toEqual(directory.lookupAccessKey('AKIACI'));
    });
  });

  describe('identityPolicies', () => {
    it('returns the configured documents as they are, and none for a principal without or unknown', () => {
      expect(directory.identityPolicies('arn:aws:iam::123456789012:user/ci')).toEqual([READ_ONLY]);
      expect(directory.identityPolicies('arn:aws:iam::123456789012:role/teams/deployer')).toEqual([]);
      expect(directory.identityPolicies('arn:aws:iam::123456789012:user/nobody')).toEqual([]);
    });
  });

  describe('accounts', () => {
    it('lists every account with its region when configured', () => {
      expect(directory.accounts()).toEqual([{ id: '123456789012', region: 'eu-west-1' }, { id: '210987654321' }]);
    });
  });

  describe('construction', () => {
    it.each([
      ['an account id that is not 12 digits', { accounts: [{ id: '1234' }] }],
      ['the same account twice', { accounts: [{ id: '123456789012' }, { id: '123456789012' }] }],
      [
        'an access key held twice',
        {
          accounts: [
            { id: '123456789012', users: [{ name: 'a', accessKeys: [{ accessKeyId: 'K', secretAccessKey: 's' }] }] },
            { id: '210987654321', roles: [{ name: 'b', accessKeys: [{ accessKeyId: 'K', secretAccessKey: 's' }] }] },
          ],
        },
      ],
      [
        'an access key id that would break the credential scope',
        { accounts: [{ id: '123456789012', users: [{ name: 'a', accessKeys: [{ accessKeyId: 'A/B', secretAccessKey: 's' }] }] }] },
      ],
      [
        'a user defined twice',
        {
          accounts: [
            {
              id: '123456789012',
              users: [
                { name: 'a', accessKeys: [] },
                { name: 'a', accessKeys: [] },
              ],
            },
          ],
        },
      ],
      ['an ARN in another account', { accounts: [{ id: '123456789012', users: [{ name: 'a', arn: 'arn:aws:iam::210987654321:user/a', accessKeys: [] }] }] }],
      ['a policy that is not a document', { accounts: [{ id: '123456789012', users: [{ name: 'a', accessKeys: [], policies: ['*'] }] }] }],
    ])('refuses %s', (_case, config) => {
      expect(IdentityConfigSchema.safeParse(config).success).toBe(false);
      expect(() => new IdentityDirectory(config as IdentityConfig)).toThrow();
    });
  });
});

describe('defaultIdentityConfig', () => {
  it('is the LocalStack convention: admin in account 000000000000 with key test/test, allowed everything', () => {
    const directory = new IdentityDirectory(defaultIdentityConfig());
    const admin = { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/admin' };

    expect(directory.lookupAccessKey('test')).toEqual({ secretAccessKey: 'test', principal: admin });
    expect(directory.identityPolicies(admin.arn)).toEqual([{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }]);
    expect(directory.accounts()).toEqual([{ id: '000000000000', region: 'us-east-1' }]);
  });
});
