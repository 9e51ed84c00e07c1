import { newEvent, type RegistryEvent } from '@cargohold/events';
import type { ReplicationStatusRecord, ReplicationStatusStore } from '@cargohold/storage-ports';
import { digestFor, OTHER_REGISTRY, repoRef } from './metadata-fixture';

export interface ReplicationStatusFixture {
  readonly replications: ReplicationStatusStore;
  /** Events recorded with the changes so far (an outbox's, or a change feed's); omitted where none is readable. */
  readonly recordedEvents?: () => Promise<RegistryEvent[]>;
  cleanup(): Promise<void>;
}

export type MakeReplicationStatuses = () => Promise<ReplicationStatusFixture>;

const app = repoRef('app');
const image = digestFor('image');
const at = '2026-01-01T00:00:00.000Z';
const west = (extra: Partial<ReplicationStatusRecord> = {}): ReplicationStatusRecord => ({
  region: 'us-west-2',
  registryId: '000000000000',
  status: 'IN_PROGRESS',
  updatedAt: at,
  ...extra,
});

/** ReplicationStatusStore: one record per (image, destination), replaced whole, listed in destination order. */
export function describeReplicationStatusStoreContract(adapter: string, make: MakeReplicationStatuses): void {
  describe(`ReplicationStatusStore (${adapter})`, () => {
    let fixture: ReplicationStatusFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(() => fixture.cleanup());

    it('answers nothing for an image never replicated', async () => {
      expect(await fixture.replications.list(app, image)).toEqual([]);
    });

    it('keeps one record per destination, replaced whole, ordered by region then registry id', async () => {
      const { replications } = fixture;
      await replications.set(app, image, west({ status: 'FAILED', failureCode: 'REPLICATION_PERMISSION_DENIED' }));
      await replications.set(app, image, west({ registryId: '111111111111' }));
      await replications.set(app, image, west({ region: 'eu-west-1' }));
      await replications.set(app, image, west({ status: 'COMPLETE', updatedAt: '2026-01-02T00:00:00.000Z' }));

      expect(await replications.list(app, image)).toEqual([
        west({ region: 'eu-west-1' }),
        west({ status: 'COMPLETE', updatedAt: '2026-01-02T00:00:00.000Z' }),
        west({ registryId: '111111111111' }),
      ]);
      expect(await replications.list(app, digestFor('other'))).toEqual([]);
      expect(await replications.list(repoRef('app', OTHER_REGISTRY), image)).toEqual([]);
    });

    it('records the events it is given with the change', async () => {
      if (!fixture.recordedEvents) return;
      const event = newEvent(
        'image.replicated',
        { registry: '000000000000:us-west-2', repository: 'app', digest: image, source: app.registry, result: 'SUCCESS', tags: ['v1'] },
        new Date(at),
        '9a3d3b4e-0a43-4a8f-9a57-8f1f2b0b6c11',
      );

      await fixture.replications.set(app, image, west({ status: 'COMPLETE' }), [event]);

      expect(await fixture.recordedEvents()).toEqual([expect.objectContaining({ type: 'image.replicated', id: event.id, result: 'SUCCESS', tags: ['v1'] })]);
    });
  });
}
