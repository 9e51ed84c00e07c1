import { DEFAULT_REGISTRY_SETTINGS } from '@cargohold/storage-ports';
import type { RegistrySettings, RegistrySettingsStore } from '@cargohold/storage-ports';
import { retryOnConflict } from './optimistic';
import type { Key, Table } from './table';
import { keys } from './table-design';

/** Item: { PK: REG#<registry>, SK: SETTINGS, document: JSON text, version }; absent until first written. */
const keyOf = (registry: string): Key => ({ PK: keys.registry(registry), SK: keys.settingsSk });

const parse = (document: string | undefined): RegistrySettings =>
  document === undefined ? structuredClone(DEFAULT_REGISTRY_SETTINGS) : (JSON.parse(document) as RegistrySettings);

export class DynamoRegistrySettingsStore implements RegistrySettingsStore {
  constructor(private readonly table: Table) {}

  async get(registry: string): Promise<RegistrySettings> {
    return parse((await this.table.get(keyOf(registry)))?.['document'] as string | undefined);
  }

  async update(registry: string, mutate: (current: RegistrySettings) => RegistrySettings): Promise<RegistrySettings> {
    return retryOnConflict<RegistrySettings>(`settings of registry ${registry}`, async () => {
      const item = await this.table.get(keyOf(registry));
      const version = (item?.['version'] as number | undefined) ?? 0;
      const document = JSON.stringify(mutate(parse(item?.['document'] as string | undefined)));
      // The first write must not overwrite a concurrent first write either: version 0 means "no item".
      const { applied } = await this.table.put(
        { ...keyOf(registry), document, version: version + 1 },
        version === 0
          ? { condition: 'attribute_not_exists(PK)' }
          : { condition: '#version = :expected', names: { '#version': 'version' }, values: { ':expected': version } },
      );
      return applied ? { done: true, value: parse(document) } : { done: false };
    });
  }
}
