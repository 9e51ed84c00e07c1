import { ManifestClosureError, ManifestReferencedError, type OutboxEntry, type OutboxStore } from '@cargohold/storage-ports';
import { at, digestFor, indexRecord, manifestRecord, OTHER_REGISTRY, repoRef, T0 } from './metadata-fixture';
import { deletedEvent, pushedEvent, scanRequestedEvent, stamped, type OutboxFixture } from './outbox-fixture';

const app = repoRef('app');

/** A record that needs no blob links: the outbox fixture has no BlobLinkStore. */
const bareRecord = (label: string) => manifestRecord(label, { blobs: [] });

/** Everything due at T0, leased for a minute. */
export const dueNow = (outbox: OutboxStore): Promise<OutboxEntry[]> => outbox.due(T0, 100, 60_000);

/** Seqs increase strictly in the order given. */
export function expectSeqOrder(entries: readonly OutboxEntry[]): void {
  const seqs = entries.map((entry) => entry.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
}

/** Recording: events enter the outbox with the manifest change that causes them, and only then. */
export function describeOutboxRecordingSpec(fixture: () => OutboxFixture): void {
  describe('recording with ManifestStore mutations', () => {
    beforeEach(async () => {
      await fixture().repositories.create(app, T0);
    });

    it('records the events of put, deleteTag and delete in seq order, stamping versions 1, 2, 3', async () => {
      const { manifests, outbox } = fixture();
      const m1 = digestFor('m1');
      const pushed = pushedEvent(1, app, m1, ['latest', 'v1']);
      const untagged = deletedEvent(2, app, m1, ['v1']);
      const deleted = deletedEvent(3, app, m1, ['latest']);

      await manifests.put(app, bareRecord('m1'), ['latest', 'v1'], [pushed]);
      await manifests.deleteTag(app, 'v1', [untagged]);
      await manifests.delete(app, m1, [deleted]);

      const entries = await dueNow(outbox);
      expectSeqOrder(entries);
      expect(entries.map((entry) => entry.event)).toEqual([stamped(pushed, 1), stamped(untagged, 2), stamped(deleted, 3)]);
      expect(entries.map(({ attempts, lastError }) => ({ attempts, lastError }))).toEqual(
        // Their first lease: one attempt started, none failed.
        Array.from({ length: 3 }, () => ({ attempts: 1, lastError: undefined })),
      );
    });

    it('records every event of one mutation, in the order given', async () => {
      const { manifests, outbox } = fixture();
      const pushed = pushedEvent(1, app, digestFor('m1'));
      const scan = scanRequestedEvent(2, app, digestFor('m1'));
      await manifests.put(app, bareRecord('m1'), [], [pushed, scan]);
      expect((await dueNow(outbox)).map((entry) => entry.event)).toEqual([stamped(pushed, 1), stamped(scan, 2)]);
    });

    it('counts versions per (registry, repository): interleaved repositories count independently', async () => {
      const { manifests, repositories, outbox } = fixture();
      const other = repoRef('other');
      const elsewhere = repoRef('app', OTHER_REGISTRY);
      await repositories.create(other, T0);
      await repositories.create(elsewhere, T0);

      await manifests.put(app, bareRecord('a1'), [], [pushedEvent(1, app, digestFor('a1'))]);
      await manifests.put(other, bareRecord('o1'), [], [pushedEvent(2, other, digestFor('o1'))]);
      await manifests.put(app, bareRecord('a2'), [], [pushedEvent(3, app, digestFor('a2'))]);
      await manifests.put(elsewhere, bareRecord('e1'), [], [pushedEvent(4, elsewhere, digestFor('e1'))]);
      await manifests.put(other, bareRecord('o2'), [], [pushedEvent(5, other, digestFor('o2'))]);
      await manifests.put(app, bareRecord('a3'), [], [pushedEvent(6, app, digestFor('a3'))]);

      const entries = await dueNow(outbox);
      expectSeqOrder(entries);
      expect(entries.map(({ event }) => [event.registry, event.repository, event.digest, event.version])).toEqual([
        [app.registry, 'app', digestFor('a1'), 1],
        [other.registry, 'other', digestFor('o1'), 1],
        [app.registry, 'app', digestFor('a2'), 2],
        [OTHER_REGISTRY, 'app', digestFor('e1'), 1],
        [other.registry, 'other', digestFor('o2'), 2],
        [app.registry, 'app', digestFor('a3'), 3],
      ]);
    });

    it('records nothing when put refuses an incomplete closure, and consumes no version', async () => {
      const { manifests, outbox } = fixture();
      const index = indexRecord('index', [bareRecord('never-pushed')]);
      const refused = manifests.put(app, index, ['latest'], [pushedEvent(1, app, index.digest, ['latest'])]);
      await expect(refused).rejects.toBeInstanceOf(ManifestClosureError);
      const unlinked = bareRecord('m1');
      const withBlob = { ...unlinked, blobs: [digestFor('never-linked')] };
      await expect(manifests.put(app, withBlob, [], [pushedEvent(2, app, withBlob.digest)])).rejects.toBeInstanceOf(ManifestClosureError);
      expect(await dueNow(outbox)).toEqual([]);
      const pushed = pushedEvent(3, app, unlinked.digest);
      await manifests.put(app, unlinked, [], [pushed]);
      expect((await dueNow(outbox)).map((entry) => entry.event)).toEqual([stamped(pushed, 1)]);
    });

    it('records nothing when the mutation fails, and consumes no version', async () => {
      const { manifests, outbox } = fixture();
      const child = bareRecord('child');
      await manifests.put(app, child, []);
      await manifests.put(app, indexRecord('index', [child]), []);

      const refused = manifests.delete(app, child.digest, [deletedEvent(1, app, child.digest)]);
      await expect(refused).rejects.toBeInstanceOf(ManifestReferencedError);
      expect(await dueNow(outbox)).toEqual([]);

      const pushed = pushedEvent(2, app, digestFor('m1'));
      await manifests.put(app, bareRecord('m1'), [], [pushed]);
      expect((await dueNow(outbox)).map((entry) => entry.event)).toEqual([stamped(pushed, 1)]);
    });

    it('records nothing when the mutation changes nothing', async () => {
      const { manifests, outbox } = fixture();
      await manifests.put(app, bareRecord('m1'), ['latest']);

      expect(await manifests.deleteTag(app, 'absent', [deletedEvent(1, app, digestFor('m1'), ['absent'])])).toBe(false);
      expect(await manifests.delete(app, digestFor('absent'), [deletedEvent(2, app, digestFor('absent'))])).toBe(false);
      await manifests.put(app, bareRecord('m1'), ['latest'], [pushedEvent(3, app, digestFor('m1'), ['latest'])]);

      expect(await dueNow(outbox)).toEqual([]);
    });

    it('records a put that only moves a tag onto an existing manifest', async () => {
      const { manifests, outbox } = fixture();
      await manifests.put(app, bareRecord('m1'), []);
      await manifests.put(app, bareRecord('m2'), ['latest']);
      const retagged = pushedEvent(1, app, digestFor('m1'), ['latest']);

      await manifests.put(app, bareRecord('m1'), ['latest'], [retagged]);

      expect((await dueNow(outbox)).map((entry) => entry.event)).toEqual([stamped(retagged, 1)]);
    });
  });

  describe('append', () => {
    it('records standalone events, continuing the versions mutations started', async () => {
      const { manifests, repositories, outbox } = fixture();
      await repositories.create(app, T0);
      const pushed = pushedEvent(1, app, digestFor('m1'));
      const scan = scanRequestedEvent(2, app, digestFor('m1'));
      const elsewhere = scanRequestedEvent(3, repoRef('other'), digestFor('m1'));

      await manifests.put(app, bareRecord('m1'), [], [pushed]);
      await outbox.append([scan, elsewhere]);
      await outbox.append([]);

      const entries = await dueNow(outbox);
      expectSeqOrder(entries);
      expect(entries.map((entry) => entry.event)).toEqual([stamped(pushed, 1), stamped(scan, 2), stamped(elsewhere, 1)]);
    });

    it('ignores a version the caller set: the outbox assigns it', async () => {
      const { outbox } = fixture();
      await outbox.append([{ ...pushedEvent(1, app, digestFor('m1')), version: 42 }]);
      expect((await outbox.due(at(0), 10, 1000))[0]?.event.version).toBe(1);
    });
  });
}
