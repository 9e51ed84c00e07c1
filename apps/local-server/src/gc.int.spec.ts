import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectGarbage } from './gc';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256 } from './testing/registry-client';
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
      atLeast: { kept: 11, blobsDeleted: 11 },
    });
    expect(race.problems).toEqual([]);
    // Not a test that cannot fail: pushes succeeded, and the collectors did delete bytes meanwhile.
    expect(race.kept.length).toBeGreaterThan(10);
    expect(race.blobsDeleted).toBeGreaterThan(10);
    expect(race.attempts).toBeGreaterThan(race.kept.length);
  });
});

/** A monolithic blob push whose body trickles in over `ms`: the server holds the digest that long. */
function slowPush(base: string, repo: string, bytes: Buffer, ms: number): Promise<number> {
  const url = new URL(`/v2/${repo}/blobs/uploads/?digest=${sha256(bytes)}`, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    void (async () => {
      const pieces = 10;
      for (let i = 0; i < pieces; i++) {
        req.write(bytes.subarray((i * bytes.length) / pieces, ((i + 1) * bytes.length) / pieces));
        await sleep(ms / pieces);
      }
      req.end();
    })();
  });
}

describe('online garbage collection during a slow push of bytes it could collect', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ gc: { intervalSeconds: 0 } });
  });
  afterAll(() => t?.stop());

  it('keeps stored bytes a push is streaming a copy of, so the image it then tags stays pullable', async () => {
    const layer = Buffer.alloc(1024 * 1024, 'a layer nobody references yet\n');
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    await t.client.pushBlob('gc/seed', layer); // stored, linked, referenced by no manifest
    // The push re-sends bytes already stored: the server drains and verifies them against the stored blob,
    // then links. A collector in between sees bytes no link or manifest needs, unless the push's pin holds them.
    const pushing = slowPush(t.server.url, 'gc/slow', layer, 1_500);
    await sleep(500);
    const report = await collectGarbage({ dataDir: t.dataDir, dryRun: false, graceMs: 0 });
    expect(report.linksRemoved).toBe(1); // gc/seed's link went: nothing referenced it
    expect(await pushing).toBe(201);
    await t.client.pushBlob('gc/slow', config);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length }],
    };
    expect((await t.client.putManifest('gc/slow', 'v1', manifest, OCI_MANIFEST)).res.status).toBe(201);
    const pulled = await t.client.send('GET', `/v2/gc/slow/blobs/${sha256(layer)}`);
    expect(pulled.status).toBe(200);
    expect(sha256(pulled.body)).toBe(sha256(layer));
  });
});
