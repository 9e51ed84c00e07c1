import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf, ociImage } from '@cargohold/storage-testing';
import { createRegistry } from '../registry';
import { VerifiedBlobStore } from '../verified-blob-store';
import { runBackfill, runBackfillSlice, type BackfillCursor } from './replication-backfills';
import { ReplicationValidationError } from './replication-errors';
import { Replicator } from './replicator';

const EAST = '000000000000:us-east-1';
const WEST = { region: 'us-west-2', registryId: '000000000000' };

function setup() {
  const storage = createMemoryStorage();
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  const scheduled: string[] = [];
  const registry = createRegistry({
    storage,
    replicationStatuses: storage.replications,
    clock,
    backfillRunner: { available: true, schedule: (_r, id) => void scheduled.push(id) },
  });
  const bundle = { ...storage, blobs: new VerifiedBlobStore(storage.blobs), templates: registry.templates, manifestService: registry.manifests };
  const replicator = new Replicator({ registries: () => bundle, statuses: storage.replications, clock });
  const run = (id: string) => runBackfill({ ...storage, replicator, backfills: registry.replication.backfills, clock }, EAST, id);
  const slice = (id: string, after?: BackfillCursor) =>
    runBackfillSlice({ ...storage, replicator, backfills: registry.replication.backfills, clock }, EAST, id, {
      ...(after ? { after } : {}),
      pause: () => true,
    });
  return { storage, registry, scheduled, run, slice };
}

describe('ReplicationBackfills', () => {
  it('records a backfill as PREPARING and hands it to the runner', async () => {
    const { registry, scheduled } = setup();
    await registry.replication.putConfiguration(EAST, { rules: [{ destinations: [WEST] }] });

    const started = await registry.replication.backfills.start(EAST, WEST);

    expect(started).toMatchObject({ status: 'PREPARING', destination: WEST, progress: { total: 0 } });
    expect(scheduled).toEqual([started.id]);
  });

  it('stops between images when asked: STOPPING, then STOPPED with nothing more replicated', async () => {
    const { registry, storage, run } = setup();
    const image = ociImage('old');
    for (const blob of image.blobs) await registry.uploads.putMonolithic({ registry: EAST, name: 'app' }, digestOf(blob), bodyOf(blob));
    await registry.manifests.put({ registry: EAST, name: 'app' }, image.digest, image.manifest, image.mediaType, ['v1']);
    await registry.replication.putConfiguration(EAST, { rules: [{ destinations: [WEST] }] });
    const { id } = await registry.replication.backfills.start(EAST, WEST);

    expect((await registry.replication.backfills.stop(EAST, id)).status).toBe('STOPPING');
    const ended = await run(id);

    expect(ended).toMatchObject({ status: 'STOPPED', progress: { total: 0 }, endedAt: '2026-01-01T00:00:00.000Z' });
    expect(await storage.manifests.get({ registry: '000000000000:us-west-2', name: 'app' }, image.digest)).toBeUndefined();
    await expect(registry.replication.backfills.stop(EAST, id)).rejects.toThrow(ReplicationValidationError);
  });

  it('refuses to start where no runner exists', async () => {
    const storage = createMemoryStorage();
    const registry = createRegistry({ storage });
    await registry.replication.putConfiguration(EAST, { rules: [{ destinations: [WEST] }] });
    await expect(registry.replication.backfills.start(EAST, WEST)).rejects.toThrow(/not available/);
  });

  it('runs in slices that resume after a cursor, one image at least each, until COMPLETE', async () => {
    const { registry, storage, slice } = setup();
    const pushed = [];
    for (const name of ['app-a', 'app-b', 'app-b']) {
      const image = ociImage(`${name}-${pushed.length}`);
      for (const blob of image.blobs) await registry.uploads.putMonolithic({ registry: EAST, name }, digestOf(blob), bodyOf(blob));
      await registry.manifests.put({ registry: EAST, name }, image.digest, image.manifest, image.mediaType, []);
      pushed.push({ name, digest: image.digest });
    }
    await registry.replication.putConfiguration(EAST, { rules: [{ destinations: [WEST] }] });
    const { id } = await registry.replication.backfills.start(EAST, WEST);

    const cursors: BackfillCursor[] = [];
    let step = await slice(id);
    while (step.resumeAfter) {
      expect(step.backfill.status).toBe('IN_PROGRESS');
      cursors.push(step.resumeAfter);
      step = await slice(id, step.resumeAfter);
    }

    expect(cursors).toHaveLength(2);
    expect(step.backfill).toMatchObject({ status: 'COMPLETE', progress: { total: 3, completed: 3, failed: 0 } });
    for (const { name, digest } of pushed) expect(await storage.manifests.get({ registry: '000000000000:us-west-2', name }, digest)).toBeDefined();
  });

  it('marks a backfill FAILED when its runner cannot take it, and answers the error', async () => {
    const storage = createMemoryStorage();
    const registry = createRegistry({ storage, backfillRunner: { available: true, schedule: () => Promise.reject(new Error('queue down')) } });
    await registry.replication.putConfiguration(EAST, { rules: [{ destinations: [WEST] }] });

    await expect(registry.replication.backfills.start(EAST, WEST)).rejects.toThrow('queue down');
    expect(await registry.replication.backfills.list(EAST)).toEqual([expect.objectContaining({ status: 'FAILED', failureCode: 'BACKFILL_NOT_SCHEDULED' })]);
  });
});
