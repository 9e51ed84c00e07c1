import { collectGarbage } from './gc';
import { raceGarbageCollection } from './testing/gc-race';
import { startTestServer, type TestServer } from './testing/test-server';

/**
 * Online GC racing pushes (issue 13, invariant 4), embedded backend: clients push images with shared
 * layers in a loop (monolithic and resumable uploads, tag moves, manifest deletes) while the server's
 * collector runs every 500 ms and a second collector (`cargohold gc`'s code, its own SQLite connection)
 * every 700 ms, both with grace 0, the harshest setting. Pushes may fail then (a layer collected before
 * its manifest came, answered MANIFEST_BLOB_UNKNOWN); every push that got a 201 must stay fully pullable,
 * its digests verified.
 */
jest.setTimeout(120_000);

const DURATION_MS = Number(process.env['GC_RACE_MS'] ?? 8_000);

describe('online garbage collection racing pushes (embedded)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ gc: { intervalSeconds: 0.5, graceSeconds: 0 } });
  });
  afterAll(() => t?.stop());

  it('leaves every push that got a 201 fully pullable, with grace 0', async () => {
    const race = await raceGarbageCollection({
      client: t.client,
      repos: ['gc/app', 'gc/web', 'gc/worker'],
      clients: 4,
      durationMs: DURATION_MS,
      collect: () => collectGarbage({ dataDir: t.dataDir, dryRun: false, graceMs: 0 }),
      pauseMs: 700,
    });
    expect(race.problems).toEqual([]);
    // Not a test that cannot fail: pushes succeeded, and the collectors did delete bytes meanwhile.
    expect(race.kept.length).toBeGreaterThan(10);
    expect(race.blobsDeleted).toBeGreaterThan(10);
    expect(race.attempts).toBeGreaterThan(race.kept.length);
  });
});
