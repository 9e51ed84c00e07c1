import { createMemoryStorage } from '@cargohold/storage-memory';
import { InvalidParameterError, RegistryPolicyNotFoundError } from './ecr-errors';
import { ACCOUNT_SETTINGS, RegistryAdmin } from './registry-admin';

const REGISTRY = '111122223333:us-east-1';
const POLICY = '{"Version":"2012-10-17","Statement":[]}';
const acceptAny = () => undefined;

function setup() {
  return new RegistryAdmin(createMemoryStorage().registries);
}

describe('RegistryAdmin', () => {
  describe('registry policy', () => {
    it('stores the policy text exactly as given, per registry', async () => {
      const admin = setup();

      await admin.putPolicy(REGISTRY, POLICY, acceptAny);

      await expect(admin.getPolicy(REGISTRY)).resolves.toBe(POLICY);
      await expect(admin.getPolicy('111122223333:eu-west-1')).rejects.toBeInstanceOf(RegistryPolicyNotFoundError);
    });

    it('replaces an earlier policy', async () => {
      const admin = setup();
      await admin.putPolicy(REGISTRY, POLICY, acceptAny);
      const replacement = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]}';

      await admin.putPolicy(REGISTRY, replacement, acceptAny);

      await expect(admin.getPolicy(REGISTRY)).resolves.toBe(replacement);
    });

    it('stores nothing when the validator refuses the policy', async () => {
      const admin = setup();
      const refuse = (text: string) => {
        throw new InvalidParameterError(`bad policy ${text.length}`);
      };

      await expect(admin.putPolicy(REGISTRY, POLICY, refuse)).rejects.toBeInstanceOf(InvalidParameterError);
      await expect(admin.getPolicy(REGISTRY)).rejects.toBeInstanceOf(RegistryPolicyNotFoundError);
    });

    it('deletes the policy and returns it; a second delete throws RegistryPolicyNotFound with ECR’s message', async () => {
      const admin = setup();
      await admin.putPolicy(REGISTRY, POLICY, acceptAny);

      await expect(admin.deletePolicy(REGISTRY)).resolves.toBe(POLICY);
      await expect(admin.deletePolicy(REGISTRY)).rejects.toMatchObject({
        message: "Registry policy does not exist in the registry with id '111122223333'",
      });
    });

    it('leaves account settings alone when the policy changes', async () => {
      const admin = setup();
      await admin.putAccountSetting(REGISTRY, 'BLOB_MOUNTING', 'DISABLED');

      await admin.putPolicy(REGISTRY, POLICY, acceptAny);
      await admin.deletePolicy(REGISTRY);

      await expect(admin.getAccountSetting(REGISTRY, 'BLOB_MOUNTING')).resolves.toBe('DISABLED');
    });
  });

  describe('account settings', () => {
    it.each(Object.entries(ACCOUNT_SETTINGS))('answers the default of %s when it was never set', async (name, { default: value }) => {
      const admin = setup();

      await expect(admin.getAccountSetting(REGISTRY, name)).resolves.toBe(value);
    });

    it('stores an allowed value and answers it afterwards', async () => {
      const admin = setup();

      await expect(admin.putAccountSetting(REGISTRY, 'REGISTRY_POLICY_SCOPE', 'V1')).resolves.toBe('V1');

      await expect(admin.getAccountSetting(REGISTRY, 'REGISTRY_POLICY_SCOPE')).resolves.toBe('V1');
      await expect(admin.getAccountSetting(REGISTRY, 'BLOB_MOUNTING')).resolves.toBe('DISABLED');
    });

    it('refuses an unknown setting name with InvalidParameter on get and put', async () => {
      const admin = setup();
      const message = "Invalid parameter at 'name' failed to satisfy constraint: 'NOPE' is not a valid account setting";

      await expect(admin.getAccountSetting(REGISTRY, 'NOPE')).rejects.toMatchObject({ name: 'InvalidParameterError', message });
      await expect(admin.putAccountSetting(REGISTRY, 'NOPE', 'V1')).rejects.toMatchObject({ name: 'InvalidParameterError', message });
    });

    it('refuses a value the setting does not allow, naming the allowed ones, and keeps the old value', async () => {
      const admin = setup();

      const error = await admin.putAccountSetting(REGISTRY, 'BLOB_MOUNTING', 'MAYBE').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidParameterError);
      expect(error).toMatchObject({ message: "Invalid parameter at 'value' failed to satisfy constraint: must be one of ENABLED, DISABLED" });
      await expect(admin.getAccountSetting(REGISTRY, 'BLOB_MOUNTING')).resolves.toBe('DISABLED');
    });

    it('has ECR defaults: blob mounting opt-in, AWS_NATIVE basic scanning, V2 registry policy scope', () => {
      expect(Object.fromEntries(Object.entries(ACCOUNT_SETTINGS).map(([name, { default: value }]) => [name, value]))).toEqual({
        BLOB_MOUNTING: 'DISABLED',
        BASIC_SCAN_TYPE_VERSION: 'AWS_NATIVE',
        REGISTRY_POLICY_SCOPE: 'V2',
      });
    });
  });
});
