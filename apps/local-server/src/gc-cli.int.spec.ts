import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleCli } from './testing/child-server';
import { blobFile } from './testing/corruption';
import { OCI_MANIFEST } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

describe('cargohold gc (command line)', () => {
  let t: TestServer;
  let dir: string;
  let cli: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-gc-cli-'));
    cli = bundleCli(dir);
    // The in-process collector is off: only the command decides here.
    t = await startTestServer({ gc: { intervalSeconds: 0 } });
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, 'gc', '--data-dir', t.dataDir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: resolve(__dirname, '../../../node_modules') },
    });

  it('prints what would go with --dry-run and changes nothing; without it deletes exactly that', async () => {
    const kept = await t.client.pushImage('gc/cli', 'kept');
    const gone = await t.client.pushImage('gc/cli', 'gone');
    expect((await t.client.send('DELETE', `/v2/gc/cli/manifests/${gone.digest}`)).status).toBe(202);
    const goneDigests = [gone.digest, gone.configDigest, gone.layerDigest].sort();

    const young = run('--dry-run');
    expect(young.status).toBe(0);
    expect(young.stdout).toMatch(/^dry run: scanned 6 blobs; would delete 0 blobs \(0 bytes\), 0 links;[^\n]*\n$/); // all younger than 24 h

    const dry = run('--dry-run', '--grace', '0');
    expect(dry.status).toBe(0);
    const lines = dry.stdout.trim().split('\n');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^would delete sha256:[0-9a-f]{64} \d+$/);
    expect(
      lines
        .slice(0, -1)
        .map((line) => line.split(' ')[2])
        .sort(),
    ).toEqual(goneDigests);
    expect(lines.at(-1)).toMatch(/^dry run: scanned 6 blobs; would delete 3 blobs \(\d+ bytes\), 2 links;/);
    expect(dry.stderr).toBe(''); // not a terminal, and done within the first 5 s: no progress lines (as fsck)
    for (const digest of goneDigests) expect(existsSync(blobFile(t.dataDir, digest))).toBe(true);

    const real = run('--grace', '0s');
    expect(real.status).toBe(0);
    expect(real.stdout).toContain(`deleted ${gone.layerDigest} `);
    expect(real.stdout).toMatch(/scanned 6 blobs; deleted 3 blobs \(\d+ bytes\), 2 links;/);
    for (const digest of goneDigests) expect(existsSync(blobFile(t.dataDir, digest))).toBe(false);
    const manifest = await t.client.send('GET', '/v2/gc/cli/manifests/kept', { headers: { Accept: OCI_MANIFEST } });
    expect(manifest.status).toBe(200);
    expect((await t.client.send('GET', `/v2/gc/cli/blobs/${kept.layerDigest}`)).status).toBe(200);
  }, 60_000);

  it('draws a progress bar on a terminal', () => {
    // script(1) gives the command a pseudo-terminal; its output (stdout and stderr) comes back as one.
    const command = [process.execPath, cli, 'gc', '--dry-run', '--data-dir', t.dataDir].map((arg) => `'${arg}'`).join(' ');
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: resolve(__dirname, '../../../node_modules') },
    });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain('\r\x1b[2Kcargohold gc [');
    expect(tty.stdout).toMatch(/cargohold gc \[[#.]{24}\] \d+% scanned \d+ blobs/);
    expect(tty.stdout).toContain('dry run: scanned');
  });

  it('refuses a malformed grace', () => {
    const bad = run('--grace', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('invalid --grace soon');
  });
});
