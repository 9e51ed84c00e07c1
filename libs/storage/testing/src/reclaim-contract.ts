import type { BlobInventory, BlobReclaimStore, BlobStore, ManifestRecord, RepoRef, StoredBlob } from '@cargohold/storage-ports';
import { digestOf, type Digest } from '@cargohold/oci';
import { at, digestFor, manifestRecord, OTHER_REGISTRY, putLinked, repoRef, type MetadataFixture } from './metadata-fixture';
import { bodyOf, bytesOf } from './streams';

export interface ReclaimFixture extends MetadataFixture {
  readonly reclaim: BlobReclaimStore;
}

export type MakeReclaim = () => Promise<ReclaimFixture>;

const lease = (from: number, to: number) => ({ at: at(from), until: at(to) });

/** How the core writes: pin the digest for the repository, write, unpin (BlobPins). */
async function pinned(fx: ReclaimFixture, digests: readonly Digest[], repo: RepoRef, write: () => Promise<unknown>): Promise<void> {
  for (const digest of digests) expect(await fx.reclaim.pin(digest, 'writer', lease(0, 1), repo)).toBe(true);
  await write();
  for (const digest of digests) await fx.reclaim.unpin(digest, 'writer');
}
const link = (fx: ReclaimFixture, repo: RepoRef, digest: Digest, seconds: number) =>
  pinned(fx, [digest], repo, () => fx.links.link(repo, digest, 10, at(seconds)));
const push = (fx: ReclaimFixture, repo: RepoRef, record: ManifestRecord) =>
  pinned(fx, [record.digest, ...record.blobs], repo, () => putLinked(fx, repo, record, ['v1']));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * BlobReclaimStore: the store of record's answer to "does anything still need these bytes", and the
 * pin/claim exclusion that keeps a writer and the collector from deciding about one digest at once.
 * Links and manifests are written the way the core writes them: under a pin for their repository.
 */
export function describeBlobReclaimStoreContract(name: string, make: MakeReclaim): void {
  describe(`${name} (BlobReclaimStore contract)`, () => {
    let fx: ReclaimFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.cleanup();
    });
    const blob = digestFor('gc/blob');

    describe('linksOf', () => {
      it('lists every repository linking the digest, across registries, with when it was linked', async () => {
        await link(fx, repoRef('a'), blob, 1);
        await link(fx, repoRef('b', OTHER_REGISTRY), blob, 2);
        await link(fx, repoRef('c'), digestFor('other'), 3);
        const links = await collect(fx.reclaim.linksOf(blob));
        const seen = links.map((l) => `${l.repo.registry}/${l.repo.name}@${l.linkedAt.toISOString()}`).sort();
        expect(seen).toEqual([`${OTHER_REGISTRY}/b@${at(2).toISOString()}`, `${repoRef('a').registry}/a@${at(1).toISOString()}`].sort());
      });

      it('says which links a manifest of their repository still references', async () => {
        const record = manifestRecord('gc/referencing');
        await push(fx, repoRef('a'), record);
        const layer = record.blobs[1] as Digest;
        await link(fx, repoRef('b'), layer, 1);
        const links = await collect(fx.reclaim.linksOf(layer));
        expect(Object.fromEntries(links.map((l) => [l.repo.name, l.referenced]))).toEqual({ a: true, b: false });
        expect(await fx.reclaim.recorded(record.digest)).toBe(true);
        expect(await fx.reclaim.recorded(layer)).toBe(false);
      });

      it('lists nothing for a digest nobody links, and forgets unlinked and deleted repositories', async () => {
        await link(fx, repoRef('a'), blob, 1);
        await link(fx, repoRef('b'), blob, 1);
        await fx.repositories.create(repoRef('b'), at(0));
        await fx.links.unlink(repoRef('a'), blob);
        await fx.repositories.delete(repoRef('b'));
        expect(await collect(fx.reclaim.linksOf(blob))).toEqual([]);
      });
    });

    describe('claim', () => {
      it('claims a digest nothing needs, and then refuses pins until released', async () => {
        expect(await fx.reclaim.claim(blob, 'gc', lease(0, 60))).toBe(true);
        expect(await fx.reclaim.pin(blob, 'writer', lease(1, 61), repoRef('a'))).toBe(false);
        await fx.reclaim.release(blob, 'gc');
        expect(await fx.reclaim.pin(blob, 'writer', lease(2, 62), repoRef('a'))).toBe(true);
      });

      it('refuses while a repository links the digest, in any registry', async () => {
        await link(fx, repoRef('b', OTHER_REGISTRY), blob, 1);
        expect(await fx.reclaim.claim(blob, 'gc', lease(5, 60))).toBe(false);
        await fx.links.unlink(repoRef('b', OTHER_REGISTRY), blob);
        expect(await fx.reclaim.claim(blob, 'gc', lease(5, 60))).toBe(true);
      });

      it('refuses while a manifest record has the digest (manifest bytes are blobs too)', async () => {
        const record = manifestRecord('gc/manifest');
        await push(fx, repoRef('a'), record);
        expect(await fx.reclaim.claim(record.digest, 'gc', lease(5, 60))).toBe(false);
        await fx.manifests.delete(repoRef('a'), record.digest);
        expect(await fx.reclaim.claim(record.digest, 'gc', lease(5, 60))).toBe(true);
      });

      it('refuses while an unexpired pin holds the digest, and ignores an expired one', async () => {
        expect(await fx.reclaim.pin(blob, 'writer', lease(0, 30), repoRef('a'))).toBe(true);
        expect(await fx.reclaim.claim(blob, 'gc', lease(10, 60))).toBe(false);
        expect(await fx.reclaim.claim(blob, 'gc', lease(30, 90))).toBe(true);
      });

      it('holds against another collector until released or expired', async () => {
        expect(await fx.reclaim.claim(blob, 'gc-1', lease(0, 30))).toBe(true);
        expect(await fx.reclaim.claim(blob, 'gc-2', lease(10, 70))).toBe(false);
        expect(await fx.reclaim.claim(blob, 'gc-2', lease(31, 90))).toBe(true);
        expect(await fx.reclaim.pin(blob, 'writer', lease(40, 100), repoRef('a'))).toBe(false);
      });
    });

    describe('pin', () => {
      it('lets pins of several owners coexist, and a claim waits for the last unpin', async () => {
        expect(await fx.reclaim.pin(blob, 'w1', lease(0, 60), repoRef('a'))).toBe(true);
        expect(await fx.reclaim.pin(blob, 'w2', lease(0, 60), repoRef('a'))).toBe(true);
        await fx.reclaim.unpin(blob, 'w1');
        expect(await fx.reclaim.claim(blob, 'gc', lease(1, 61))).toBe(false);
        await fx.reclaim.unpin(blob, 'w2');
        await fx.reclaim.unpin(blob, 'w2');
        expect(await fx.reclaim.claim(blob, 'gc', lease(1, 61))).toBe(true);
      });

      it('is taken again once an abandoned claim expired', async () => {
        expect(await fx.reclaim.claim(blob, 'gc', lease(0, 30))).toBe(true);
        expect(await fx.reclaim.pin(blob, 'writer', lease(30, 60), repoRef('a'))).toBe(true);
      });
    });
  });
}

export interface InventoryFixture {
  readonly blobs: BlobStore & BlobInventory;
  cleanup(): Promise<void>;
}

/** BlobInventory: every addressable blob, with its size and a modification time near its publish. */
export function describeBlobInventoryContract(name: string, make: () => Promise<InventoryFixture>): void {
  describe(`${name} (BlobInventory contract)`, () => {
    let fx: InventoryFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('lists each stored blob once, with its size and when it was written; deleted ones are gone', async () => {
      const before = Date.now() - 2000;
      const blobs = [bytesOf(10, 1), bytesOf(2000, 2), bytesOf(0, 3)];
      for (const bytes of blobs) await fx.blobs.put(digestOf(bytes), bodyOf(bytes), () => undefined);
      await fx.blobs.delete(digestOf(blobs[0] as Uint8Array));
      const listed = await collect(fx.blobs.stored());
      const byDigest = new Map<string, StoredBlob>(listed.map((entry) => [entry.digest, entry]));
      expect(listed).toHaveLength(2);
      expect(byDigest.get(digestOf(blobs[1] as Uint8Array))?.size).toBe(2000);
      expect(byDigest.get(digestOf(blobs[2] as Uint8Array))?.size).toBe(0);
      for (const entry of listed) {
        expect(entry.modifiedAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(entry.modifiedAt.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
      }
    });

    it('does not list quarantined bytes', async () => {
      const bytes = bytesOf(10, 4);
      await fx.blobs.put(digestOf(bytes), bodyOf(bytes), () => undefined);
      await fx.blobs.quarantine(digestOf(bytes));
      expect(await collect(fx.blobs.stored())).toEqual([]);
    });
  });
}
