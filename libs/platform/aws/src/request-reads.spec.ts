import { DEFAULT_REGISTRY_SETTINGS, type RegistrySettings, type RegistrySettingsStore } from '@cargohold/storage-ports';
import { RequestReads } from './request-reads';

/** A settings store that counts its reads. */
function countingStore(): RegistrySettingsStore & { reads: number } {
  const documents = new Map<string, RegistrySettings>();
  return {
    reads: 0,
    async get(registry) {
      this.reads++;
      return structuredClone(documents.get(registry) ?? DEFAULT_REGISTRY_SETTINGS);
    },
    async update(registry, mutate) {
      const updated = mutate(structuredClone(documents.get(registry) ?? DEFAULT_REGISTRY_SETTINGS));
      documents.set(registry, structuredClone(updated));
      return updated;
    },
  };
}

describe('RequestReads', () => {
  const registry = '000000000000:us-east-1';

  it('reads a registry settings item once per request, and again in the next request', async () => {
    const store = countingStore();
    const reads = new RequestReads();
    const registries = reads.registries(store);
    const request = reads.scoped(async () => Promise.all([registries.get(registry), registries.get(registry), registries.get(registry)]));

    await request();
    expect(store.reads).toBe(1);
    await request();
    expect(store.reads).toBe(2);
  });

  it('reads through outside a request', async () => {
    const store = countingStore();
    const registries = new RequestReads().registries(store);

    await registries.get(registry);
    await registries.get(registry);

    expect(store.reads).toBe(2);
  });

  it('lets a request read its own write', async () => {
    const store = countingStore();
    const reads = new RequestReads();
    const registries = reads.registries(store);

    const seen = await reads.scoped(async () => {
      await registries.get(registry);
      await registries.update(registry, (current) => ({ ...current, accountSettings: { BASIC_SCAN_TYPE_VERSION: 'AWS_NATIVE' } }));
      return registries.get(registry);
    })();

    expect(seen.accountSettings).toEqual({ BASIC_SCAN_TYPE_VERSION: 'AWS_NATIVE' });
    expect(store.reads).toBe(2);
  });

  it('gives each caller its own copy', async () => {
    const reads = new RequestReads();
    const registries = reads.registries(countingStore());

    const [first, second] = await reads.scoped(async () => [await registries.get(registry), await registries.get(registry)])();

    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });

  it('does not remember a failed read', async () => {
    const store = countingStore();
    const get = store.get.bind(store);
    let failures = 1;
    store.get = async (name) => {
      if (failures-- > 0) throw new Error('throttled');
      return get(name);
    };
    const reads = new RequestReads();
    const registries = reads.registries(store);

    const second = await reads.scoped(async () => {
      await expect(registries.get(registry)).rejects.toThrow('throttled');
      return registries.get(registry);
    })();

    expect(second).toEqual(DEFAULT_REGISTRY_SETTINGS);
  });
});
