import { request } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleCli, spawnServer } from './testing/child-server';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { ecrClient } from './testing/ecr-client';
import { pushFilesImage } from './testing/image-builder';
import { raw, RegistryClient, sha256 } from './testing/registry-client';
import { DPKG_STATUS, OS_RELEASE } from './testing/vulnerability-fixtures';
import { findingsWhenDone } from './testing/scan-polling';

describe('the cargohold process', () => {
  let dir: string;
  let cli: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cargohold-crash-'));
    cli = bundleCli(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves no visible partial blob after restart and keeps acknowledged chunks resumable', async () => {
    const dataDir = join(dir, 'data');
    const blob = Buffer.alloc(8 * 1024 * 1024, 3);
    const digest = sha256(blob);
    const first = await spawnServer(cli, dataDir);
    const url = new URL(first.url);

    // Half of a monolithic push and half of a chunked one are in flight when the process dies.
    const location = (await raw(first.url, 'POST', '/v2/crash/blobs/uploads/')).headers['location'] as string;
    await raw(first.url, 'PATCH', location, { headers: { 'Content-Range': '0-1023', 'Content-Length': 1024 }, body: blob.subarray(0, 1024) });
    const inFlight = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: `/v2/crash/blobs/uploads/?digest=${digest}`,
      headers: { 'Content-Length': blob.length },
    });
    inFlight.on('error', () => undefined);
    await new Promise<void>((resolve) => inFlight.write(blob.subarray(0, 4 * 1024 * 1024), () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await spawnServer(cli, dataDir);
    try {
      expect((await raw(second.url, 'HEAD', `/v2/crash/blobs/${digest}`)).status).toBe(404);
      const blobFiles = await readdir(join(dataDir, 'blobs'), { recursive: true }).catch(() => []);
      expect(blobFiles.filter((f) => String(f).endsWith(digest.slice(7)))).toEqual([]);
      // The chunked upload survived the crash: durable chunks can be resumed.
      const status = await raw(second.url, 'GET', location);
      expect(status.status).toBe(204);
      expect(status.headers['range']).toBe('0-1023');
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  }, 60_000);

  it('finishes an in-flight upload on SIGTERM, then exits 0', async () => {
    const dataDir = join(dir, 'graceful');
    const blob = Buffer.alloc(2 * 1024 * 1024, 5);
    const { child, url } = await spawnServer(cli, dataDir);
    const target = new URL(url);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const status = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: `/v2/graceful/blobs/uploads/?digest=${sha256(blob)}`,
          headers: { 'Content-Length': blob.length },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(blob.subarray(0, 1024 * 1024), () => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(blob.subarray(1024 * 1024)), 300);
      });
    });
    expect(await status).toBe(201);
    expect(await exited).toBe(0);
    const restarted = await spawnServer(cli, dataDir);
    try {
      expect((await raw(restarted.url, 'HEAD', `/v2/graceful/blobs/${sha256(blob)}`)).status).toBe(200);
    } finally {
      restarted.child.kill('SIGTERM');
      await new Promise((resolve) => restarted.child.once('exit', resolve));
    }
  }, 60_000);

  it('still scans an image pushed just before a kill -9, after the restart', async () => {
    const dataDir = join(dir, 'scan');
    const first = await spawnServer(cli, dataDir);
    const ecr = ecrClient(first.url);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'crash/scan', imageScanningConfiguration: { scanOnPush: true } }));
    ecr.destroy();
    await pushFilesImage(new RegistryClient(first.url), 'crash/scan', 'v1', [{ 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': DPKG_STATUS }]);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await spawnServer(cli, dataDir);
    const after = ecrClient(second.url);
    try {
      const out = await findingsWhenDone(after, 'crash/scan', 'v1');
      expect(out.imageScanStatus?.status).toBe('COMPLETE');
    } finally {
      after.destroy();
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  }, 60_000);
});
