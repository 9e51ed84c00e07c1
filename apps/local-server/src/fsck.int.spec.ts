import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeReport, fsck } from './fsck';
import { bundleCli } from './testing/child-server';
import { blobFile, flipByte, truncateFile } from './testing/corruption';
import { OCI_MANIFEST } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

const layerOf = (seed: number) => Buffer.from(Buffer.alloc(300_000).map((_, i) => (i * 13 + seed) % 256));

describe('cargohold fsck', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(() => t.stop());

  it('finds a clean store clean', async () => {
    await t.client.pushImage('fsck/clean', 'v1');
    const statuses: string[] = [];
    const progress = { update: (_done: number, _total: number | undefined, detail: string) => statuses.push(detail), finish: () => undefined };
    const report = await fsck({ dataDir: t.dataDir, repair: false, progress });

    expect(report.blobs).toMatchObject({ checked: 3, corrupt: [] });
    expect(report.manifests).toEqual({ checked: 1, bad: [] });
    expect(report.links).toMatchObject({ checked: 2, bad: [] });
    expect(statuses[0]).toMatch(/^hashing blobs: \d+\/3/);
    expect(describeReport(report, t.dataDir)).toMatchObject({ code: 0, text: expect.stringContaining('the store is clean') });
  });

  it('reports flipped and truncated blobs and the records that name them, and changes nothing without --repair', async () => {
    const image = await t.client.pushImage('fsck/bad', 'v1');
    const flipped = await t.client.pushBlob('fsck/bad', layerOf(1));
    const truncated = await t.client.pushBlob('fsck/bad', layerOf(2));
    await flipByte(blobFile(t.dataDir, flipped));
    await truncateFile(blobFile(t.dataDir, truncated), 100);
    await flipByte(blobFile(t.dataDir, image.digest));

    const report = await fsck({ dataDir: t.dataDir, repair: false });

    expect(report.blobs.corrupt.map((bad) => bad.digest).sort()).toEqual([flipped, truncated, image.digest].sort());
    expect(report.manifests.bad).toEqual([{ entry: expect.objectContaining({ digest: image.digest }), problem: expect.stringContaining('bytes corrupt') }]);
    expect(report.links.bad.map((bad) => bad.entry.digest).sort()).toEqual([flipped, truncated].sort());
    expect(report.quarantined).toEqual([]);
    const { code, text } = describeReport(report, t.dataDir);
    expect(code).toBe(1);
    expect(text).toContain(`corrupt blob ${flipped}`);
    expect(text).toContain('--repair');
    expect(existsSync(blobFile(t.dataDir, flipped))).toBe(true);
  });

  it('quarantines corrupt blobs with --repair, so the server answers BLOB_UNKNOWN and a re-push heals them', async () => {
    const layer = layerOf(3);
    const digest = await t.client.pushBlob('fsck/repair', layer);
    await flipByte(blobFile(t.dataDir, digest));

    const report = await fsck({ dataDir: t.dataDir, repair: true });
    expect(report.quarantined).toEqual([digest]);
    expect(describeReport(report, t.dataDir).text).toContain('quarantined 1 corrupt blob(s)');
    expect(existsSync(join(t.dataDir, 'corrupt', 'sha256', digest.slice(7)))).toBe(true);
    expect((await t.client.send('HEAD', `/v2/fsck/repair/blobs/${digest}`)).status).toBe(404);

    await t.client.pushBlob('fsck/repair', layer);
    expect((await t.client.send('GET', `/v2/fsck/repair/blobs/${digest}`)).body.equals(layer)).toBe(true);
    expect(describeReport(await fsck({ dataDir: t.dataDir, repair: false }), t.dataDir).code).toBe(0);
  });

  it('runs from the command line with exit code 1 for problems and 0 once repaired and re-pushed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cargohold-fsck-cli-'));
    try {
      const cli = bundleCli(dir);
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [cli, 'fsck', '--data-dir', t.dataDir, ...args], {
          encoding: 'utf8',
          env: { ...process.env, NODE_PATH: resolve(__dirname, '../../../node_modules') },
        });
      const image = await t.client.pushImage('fsck/cli', 'v1');
      await flipByte(blobFile(t.dataDir, image.layerDigest));

      const found = run();
      expect(found.status).toBe(1);
      expect(found.stdout).toContain(`corrupt blob ${image.layerDigest}`);
      expect(found.stderr).toBe(''); // not a terminal: no progress lines
      const repaired = run('--repair');
      expect(repaired.status).toBe(1);
      expect(repaired.stdout).toContain('quarantined 1 corrupt blob(s)');

      await t.client.pushBlob('fsck/cli', `layer of v1`);
      const clean = run();
      expect(clean.stdout).toContain('the store is clean');
      expect(clean.status).toBe(0);
      expect((await t.client.send('GET', '/v2/fsck/cli/manifests/v1', { headers: { Accept: OCI_MANIFEST } })).status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
