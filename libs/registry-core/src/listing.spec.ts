import { createMemoryStorage } from '@cargohold/storage-memory';
import { resolveRange } from './blobs';
import { createRegistry } from './registry';

describe('ListingService', () => {
  const registryId = '000000000000:us-east-1';
  async function withRepos(names: string[]) {
    const storage = createMemoryStorage();
    for (const name of names) await storage.repositories.create({ registry: registryId, name }, new Date());
    return createRegistry({ storage, limits: { maxPageSize: 3 } });
  }

  it('pages the catalog in byte order and says where the next page starts', async () => {
    const registry = await withRepos(['b/x', 'a/x', 'c/x', 'd/x']);
    await expect(registry.listing.catalog(registryId, { n: 2 })).resolves.toEqual({ items: ['a/x', 'b/x'], limit: 2, next: 'b/x' });
    await expect(registry.listing.catalog(registryId, { n: 2, last: 'b/x' })).resolves.toEqual({ items: ['c/x', 'd/x'], limit: 2 });
  });

  it('uses the cap as the default page size and refuses a larger n', async () => {
    const registry = await withRepos(['a1', 'a2', 'a3', 'a4']);
    await expect(registry.listing.catalog(registryId, {})).resolves.toMatchObject({ items: ['a1', 'a2', 'a3'], next: 'a3' });
    await expect(registry.listing.catalog(registryId, { n: 4 })).rejects.toMatchObject({ code: 'PAGINATION_NUMBER_INVALID' });
  });
});

describe('resolveRange', () => {
  it('clamps open and oversized ranges to the blob and resolves suffixes', () => {
    expect(resolveRange({ kind: 'from', start: 2 }, 10)).toEqual({ start: 2, end: 9 });
    expect(resolveRange({ kind: 'from', start: 2, end: 99 }, 10)).toEqual({ start: 2, end: 9 });
    expect(resolveRange({ kind: 'suffix', length: 3 }, 10)).toEqual({ start: 7, end: 9 });
    expect(resolveRange({ kind: 'suffix', length: 30 }, 10)).toEqual({ start: 0, end: 9 });
  });

  it('refuses ranges that start past the end with 416', () => {
    expect(() => resolveRange({ kind: 'from', start: 10 }, 10)).toThrow(expect.objectContaining({ status: 416 }));
    expect(() => resolveRange({ kind: 'suffix', length: 0 }, 10)).toThrow(expect.objectContaining({ status: 416 }));
  });
});
