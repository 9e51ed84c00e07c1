import { DEFAULT_REGISTRY_SETTINGS } from '@cargohold/storage-ports';
import type { RegistryScanningConfiguration, RegistrySettings } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { OTHER_REGISTRY, POLICY_TEXT, REGISTRY } from './metadata-fixture';

const setting =
  (name: string, value: string) =>
  (current: RegistrySettings): RegistrySettings => ({
    ...current,
    accountSettings: { ...current.accountSettings, [name]: value },
  });

/** RegistrySettingsStore: one whole document per registry, defaults until written, atomic updates. */
export function describeRegistrySettingsStoreSpec(fixture: () => MetadataFixture): void {
  describe('RegistrySettingsStore', () => {
    it('answers DEFAULT_REGISTRY_SETTINGS for a registry never written', async () => {
      expect(await fixture().registries.get(REGISTRY)).toEqual(DEFAULT_REGISTRY_SETTINGS);
    });

    it('applies mutate to the current settings, returns the result and keeps it', async () => {
      const { registries } = fixture();
      const seen: RegistrySettings[] = [];
      const first = await registries.update(REGISTRY, (current) => {
        seen.push(current);
        return { ...current, policyText: POLICY_TEXT, accountSettings: { BLOB_MOUNTING: 'ENABLED' } };
      });
      const expected = { policyText: POLICY_TEXT, accountSettings: { BLOB_MOUNTING: 'ENABLED' } };
      expect(seen).toEqual([DEFAULT_REGISTRY_SETTINGS]);
      expect(first).toEqual(expected);
      expect(await registries.get(REGISTRY)).toEqual(expected);
      expect((await registries.get(REGISTRY)).policyText).toBe(POLICY_TEXT);

      const second = await registries.update(REGISTRY, ({ policyText: _dropped, ...rest }) => rest);
      expect(second).toEqual({ accountSettings: { BLOB_MOUNTING: 'ENABLED' } });
      expect((await registries.get(REGISTRY)).policyText).toBeUndefined();
    });

    it('stores the document whole, fields it does not know included', async () => {
      const { registries } = fixture();
      const later = { accountSettings: {}, pullThroughCache: { rules: [{ prefix: 'hub', upstream: 'registry-1.docker.io' }] } };
      await registries.update(REGISTRY, () => later as RegistrySettings);
      expect(await registries.get(REGISTRY)).toEqual(later);
    });

    it('keeps the scanning configuration with the rest of the document', async () => {
      const { registries } = fixture();
      const scanningConfiguration: RegistryScanningConfiguration = {
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'prod-*', filterType: 'WILDCARD' }] },
          {
            scanFrequency: 'SCAN_ON_PUSH',
            repositoryFilters: [
              { filter: '*', filterType: 'WILDCARD' },
              { filter: 'a/b*', filterType: 'WILDCARD' },
            ],
          },
        ],
      };
      await registries.update(REGISTRY, setting('BLOB_MOUNTING', 'ENABLED'));

      const updated = await registries.update(REGISTRY, (current) => ({ ...current, scanningConfiguration }));
      const expected = { accountSettings: { BLOB_MOUNTING: 'ENABLED' }, scanningConfiguration };
      expect(updated).toStrictEqual(expected);
      expect(await registries.get(REGISTRY)).toStrictEqual(expected);

      await registries.update(REGISTRY, setting('BLOB_MOUNTING', 'DISABLED'));
      expect((await registries.get(REGISTRY)).scanningConfiguration).toStrictEqual(scanningConfiguration);
      expect((await registries.get(OTHER_REGISTRY)).scanningConfiguration).toBeUndefined();
    });

    it('keeps one document per registry', async () => {
      const { registries } = fixture();
      await registries.update(REGISTRY, setting('BLOB_MOUNTING', 'ENABLED'));
      expect(await registries.get(OTHER_REGISTRY)).toEqual(DEFAULT_REGISTRY_SETTINGS);
      await registries.update(OTHER_REGISTRY, setting('BLOB_MOUNTING', 'DISABLED'));
      expect((await registries.get(REGISTRY)).accountSettings).toEqual({ BLOB_MOUNTING: 'ENABLED' });
      expect((await registries.get(OTHER_REGISTRY)).accountSettings).toEqual({ BLOB_MOUNTING: 'DISABLED' });
    });

    it('propagates an error mutate throws and changes nothing, even if mutate edited its argument', async () => {
      const { registries } = fixture();
      const refused = new Error('refused');
      const sneaky = (current: RegistrySettings): RegistrySettings => {
        (current.accountSettings as Record<string, string>)['SNEAKY'] = 'yes';
        throw refused;
      };
      await expect(registries.update(REGISTRY, sneaky)).rejects.toBe(refused);
      expect(await registries.get(REGISTRY)).toEqual(DEFAULT_REGISTRY_SETTINGS);
      expect(DEFAULT_REGISTRY_SETTINGS).toEqual({ accountSettings: {} });

      await registries.update(REGISTRY, setting('BLOB_MOUNTING', 'ENABLED'));
      await expect(registries.update(REGISTRY, sneaky)).rejects.toBe(refused);
      expect(await registries.get(REGISTRY)).toEqual({ accountSettings: { BLOB_MOUNTING: 'ENABLED' } });
    });

    it('loses no update when several run concurrently', async () => {
      const { registries } = fixture();
      const names = Array.from({ length: 10 }, (_, i) => `SETTING_${i}`);
      await Promise.all(names.map((name) => registries.update(REGISTRY, setting(name, 'ENABLED'))));
      expect((await registries.get(REGISTRY)).accountSettings).toEqual(Object.fromEntries(names.map((n) => [n, 'ENABLED'])));
    });
  });
}
