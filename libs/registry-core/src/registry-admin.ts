import type { RegistrySettingsStore } from '@cargohold/storage-ports';
import { InvalidParameterError, RegistryPolicyNotFoundError } from './ecr-errors';
import type { PolicyValidator } from './repository-admin';
import { accountOf } from './repository-admin';

/** ECR account settings: their allowed values and what a registry that never set one gets. */
export const ACCOUNT_SETTINGS: Readonly<Record<string, { values: readonly string[]; default: string }>> = {
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE', 'CLAIR'], default: 'AWS_NATIVE' },
  REGISTRY_POLICY_SCOPE: { values: ['V1', 'V2'], default: 'V2' },
  // Opt-in on ECR: "aws ecr put-account-setting --name BLOB_MOUNTING --value ENABLED" turns it on
  // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html).
  BLOB_MOUNTING: { values: ['ENABLED', 'DISABLED'], default: 'DISABLED' },
};

/** Registry-wide configuration: the registry policy and account settings. */
export class RegistryAdmin {
  constructor(private readonly registries: RegistrySettingsStore) {}

  async getPolicy(registry: string): Promise<string> {
    const { policyText } = await this.registries.get(registry);
    if (policyText === undefined) throw new RegistryPolicyNotFoundError(accountOf(registry));
    return policyText;
  }

  async putPolicy(registry: string, policyText: string, validate: PolicyValidator): Promise<string> {
    validate(policyText);
    await this.registries.update(registry, (current) => ({ ...current, policyText }));
    return policyText;
  }

  async deletePolicy(registry: string): Promise<string> {
    const policyText = await this.getPolicy(registry);
    await this.registries.update(registry, ({ policyText: _removed, ...rest }) => rest);
    return policyText;
  }

  async getAccountSetting(registry: string, name: string): Promise<string> {
    const known = ACCOUNT_SETTINGS[name];
    if (!known) throw new InvalidParameterError(`Invalid parameter at 'name' failed to satisfy constraint: '${name}' is not a valid account setting`);
    return (await this.registries.get(registry)).accountSettings[name] ?? known.default;
  }

  async putAccountSetting(registry: string, name: string, value: string): Promise<string> {
    const known = ACCOUNT_SETTINGS[name];
    if (!known) throw new InvalidParameterError(`Invalid parameter at 'name' failed to satisfy constraint: '${name}' is not a valid account setting`);
    if (!known.values.includes(value)) {
      throw new InvalidParameterError(`Invalid parameter at 'value' failed to satisfy constraint: must be one of ${known.values.join(', ')}`);
    }
    await this.registries.update(registry, (current) => ({ ...current, accountSettings: { ...current.accountSettings, [name]: value } }));
    return value;
  }
}
