import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, describeWithClients } from '@cargohold/e2e';
import { startAwsLocal, type AwsLocalProcess } from './testing';

/**
 * Garbage collection through `npm run aws:local` (no upload gateway): an image and a blob nothing
 * references pushed through the distribution Lambda; the bundled gc function, run on its schedule (every
 * 20 s here instead of daily, grace 0), removes the stray blob and leaves the image pullable, and its log
 * carries the pass's figures as EMF metrics.
 */

jest.setTimeout(240_000);

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describeWithClients(['aws'], 'aws:local: scheduled garbage collection', () => {
  let local: AwsLocalProcess;
  let work: string;
  let auth: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-aws-local-gc-'));
    local = await startAwsLocal({ dataDir: join(work, 'data'), gateway: false, gcEverySeconds: 20, gcGraceSeconds: 0 });
    const password = (await awsCli(['ecr', 'get-login-password'], { endpoint: local.url })).stdout.trim();
    auth = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  });

  afterAll(async () => {
    await local?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const v2 = (path: string, init: RequestInit = {}) => fetch(`${local.url}/v2/${path}`, { ...init, headers: { authorization: auth, ...init.headers } });

  async function pushBlob(repo: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const res = await v2(`${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    if (res.status !== 201) throw new Error(`blob push: ${res.status} ${await res.text()}`);
    return digest;
  }

  it('removes a blob nothing references on its schedule, and the image still pulls', async () => {
    await awsCli(['ecr', 'create-repository', '--repository-name', 'team/app'], { endpoint: local.url });
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
    const layer = Buffer.from('the layer the image lists');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob('team/app', config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await pushBlob('team/app', layer), size: layer.length }],
      }),
    );
    const put = await v2('team/app/manifests/v1', { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body: manifest });
    expect(put.status).toBe(201);
    const stray = await pushBlob('team/app', Buffer.from('a layer pushed and never referenced'));
    expect((await v2(`team/app/blobs/${stray}`, { method: 'HEAD' })).status).toBe(200);

    const deadline = Date.now() + 90_000;
    while ((await v2(`team/app/blobs/${stray}`, { method: 'HEAD' })).status !== 404 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }

    expect((await v2(`team/app/blobs/${stray}`, { method: 'HEAD' })).status).toBe(404);
    const pulled = await v2('team/app/manifests/v1', { headers: { accept: OCI_MANIFEST } });
    expect(Buffer.from(await pulled.arrayBuffer()).equals(manifest)).toBe(true);
    for (const blob of [config, layer]) expect((await v2(`team/app/blobs/${sha256(blob)}`, { method: 'HEAD' })).status).toBe(200);
    // The pass logs its figures when it ends, which may be a moment after the blob is gone.
    const logged = async () =>
      (await readFile(join(local.dataDir, 'logs', 'gc.log'), 'utf8'))
        .split('\n')
        .filter((line) => line.includes('"GcBlobsDeleted"'))
        .map((line) => JSON.parse(line) as { GcBlobsDeleted: number; Service: string; gc: { complete: boolean } });
    const deleted = (passes: Awaited<ReturnType<typeof logged>>) => passes.some((pass) => pass.GcBlobsDeleted === 1 && pass.gc.complete);
    let passes = await logged();
    while (!deleted(passes) && Date.now() < deadline + 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      passes = await logged();
    }
    expect(deleted(passes)).toBe(true);
    expect(passes[0]?.Service).toBe('cargohold-local-gc');
  });
});
