import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf } from '@cargohold/storage-testing';
import { EventDispatcher } from './event-dispatcher';
import { createRegistry } from './registry';
import { ScanWorker, type ImageScanner, type LayerSource } from './scan-worker';

const repo = { registry: '000000000000:us-east-1', name: 'multi/app' };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function setup(scanResult: Awaited<ReturnType<ImageScanner['scan']>> = { status: 'COMPLETE', findings: [], severityCounts: {} }) {
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = { now: () => now };
  const storage = createMemoryStorage();
  const registry = createRegistry({ storage, scans: storage.scans, clock });
  const scanned: string[][] = [];
  const scanner: ImageScanner = {
    async scan(layers: readonly LayerSource[]) {
      scanned.push(layers.map((l) => l.digest));
      return scanResult;
    },
    vulnerabilitySourceUpdatedAt: async () => undefined,
  };
  const worker = new ScanWorker({ ...storage, scanning: registry.scanning, scanner, clock });
  const dispatcher = new EventDispatcher(storage.outbox, [worker], clock);
  return { storage, registry, scanned, dispatcher, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

async function pushImage(registry: ReturnType<typeof createRegistry>, seed: string) {
  const config = Buffer.from(`{"architecture":"${seed}","os":"linux"}`);
  const layer = Buffer.from(`layer ${seed}`);
  for (const blob of [config, layer]) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
    }),
  );
  const pushed = await registry.manifests.put(repo, digestOf(manifest), manifest, OCI_MANIFEST);
  return { ...pushed, layer: digestOf(layer) };
}

describe('ScanWorker', () => {
  it('scans each platform image of a multi-arch index pushed to a scan-on-push repository', async () => {
    const { storage, registry, scanned, dispatcher } = setup();
    const amd64 = await pushImage(registry, 'amd64');
    const arm64 = await pushImage(registry, 'arm64');
    await dispatcher.drain();
    expect(scanned).toEqual([]);
    await registry.repositoryAdmin.update(repo, (settings) => ({ ...settings, scanOnPush: true }));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [amd64, arm64].map((m, i) => ({
          mediaType: OCI_MANIFEST,
          digest: m.digest,
          size: m.size,
          platform: { architecture: ['amd64', 'arm64'][i], os: 'linux' },
        })),
      }),
    );
    await registry.manifests.put(repo, 'latest', index, OCI_INDEX);
    await dispatcher.drain();
    expect(scanned).toEqual([[amd64.layer], [arm64.layer]]);
    expect((await storage.scans.get(repo, amd64.digest))?.status).toBe('COMPLETE');
  });

  it('leaves repositories without scan-on-push alone, and records FAILED with the reason', async () => {
    const quiet = setup();
    await pushImage(quiet.registry, 'amd64');
    await quiet.dispatcher.drain();
    expect(quiet.scanned).toEqual([]);

    const failing = setup({ status: 'FAILED', reason: 'layer path escapes the image root' });
    await failing.registry.scanning.putRegistryConfiguration(repo.registry, {
      scanType: 'BASIC',
      rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'multi/*', filterType: 'WILDCARD' }] }],
    });
    const image = await pushImage(failing.registry, 'amd64');
    await failing.dispatcher.drain();
    expect(await failing.storage.scans.get(repo, image.digest)).toMatchObject({ status: 'FAILED', description: 'layer path escapes the image root' });
  });

  it('records FAILED with the reason when the scanner itself throws, instead of leaving IN_PROGRESS', async () => {
    const { storage, registry, dispatcher } = setup();
    const broken = new ScanWorker({
      ...storage,
      scanning: registry.scanning,
      scanner: { scan: async () => Promise.reject(new Error('layer sha256:abc is missing')), vulnerabilitySourceUpdatedAt: async () => undefined },
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    });
    const image = await pushImage(registry, 'amd64');
    await dispatcher.drain();
    await registry.repositoryAdmin.update(repo, (settings) => ({ ...settings, scanOnPush: true }));
    await broken.handle({
      type: 'image.scan-requested',
      id: '00000000-0000-4000-8000-000000000001',
      occurredAt: '2026-01-01T00:00:00.000Z',
      registry: repo.registry,
      repository: repo.name,
      digest: image.digest,
      reason: 'manual',
      version: 1,
    });
    expect(await storage.scans.get(repo, image.digest)).toMatchObject({
      status: 'FAILED',
      description: expect.stringContaining('layer sha256:abc is missing'),
    });
    // The result and its event were one write: the outbox holds image.scanned.
    const pending = await storage.outbox.due(new Date('2030-01-01T00:00:00Z'), 10, 1000);
    expect(pending.map((entry) => entry.event)).toEqual([expect.objectContaining({ type: 'image.scanned', digest: image.digest, status: 'FAILED' })]);
  });

  it('fails the scan of an image whose layer bytes went bad, instead of scanning them, and quarantines the layer', async () => {
    const { storage, registry, dispatcher } = setup();
    const reading = new ScanWorker({
      ...storage,
      scanning: registry.scanning,
      scanner: {
        async scan(layers: readonly LayerSource[]) {
          for (const layer of layers) {
            for await (const _chunk of await layer.open()) {
              // read to the end, as the real scanner does
            }
          }
          return { status: 'COMPLETE', findings: [], severityCounts: {} };
        },
        vulnerabilitySourceUpdatedAt: async () => undefined,
      },
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    });
    const image = await pushImage(registry, 'amd64');
    await dispatcher.drain();
    await registry.repositoryAdmin.update(repo, (settings) => ({ ...settings, scanOnPush: true }));
    const bad = Buffer.from('layer amd64');
    bad[0] = (bad[0] as number) ^ 1;
    await storage.blobs.delete(image.layer);
    storage.blobs.keep(image.layer, bad);

    await reading.handle({
      type: 'image.scan-requested',
      id: '00000000-0000-4000-8000-000000000002',
      occurredAt: '2026-01-01T00:00:00.000Z',
      registry: repo.registry,
      repository: repo.name,
      digest: image.digest,
      reason: 'manual',
      version: 1,
    });
    expect(await storage.scans.get(repo, image.digest)).toMatchObject({ status: 'FAILED', description: expect.stringContaining('failed verification') });
    expect(storage.blobs.quarantined.has(image.layer)).toBe(true);
  });
});
