import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf, ociImage } from '@cargohold/storage-testing';
import { LimitExceededError } from './ecr-errors';
import { NameUnknownError } from './errors';
import { createRegistry } from './registry';
import { DEFAULT_SCANNING_CONFIGURATION } from './scans';

const REGISTRY = '111122223333:us-east-1';
const repo = { registry: REGISTRY, name: 'team/app' };
const DAY_MS = 24 * 60 * 60 * 1000;
const LATER = new Date('2030-01-01T00:00:00Z');

/** A registry over memory storage, whose scan store writes events into the outbox with the scan. */
function setup() {
  let now = new Date('2026-01-01T00:00:00Z');
  const storage = createMemoryStorage();
  const registry = createRegistry({ storage, scans: storage.scans, clock: { now: () => now } });
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  return { storage, registry, scanning: registry.scanning, advance };
}

async function pushImage(registry: ReturnType<typeof createRegistry>) {
  const image = ociImage('amd64');
  for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
  await registry.manifests.put(repo, 'v1', image.manifest, image.mediaType);
  return image;
}

describe('ScanService', () => {
  describe('registry configuration', () => {
    it('is BASIC with no rules until one is put', async () => {
      const { scanning } = setup();

      await expect(scanning.registryConfiguration(REGISTRY)).resolves.toEqual({ scanType: 'BASIC', rules: [] });
      expect(DEFAULT_SCANNING_CONFIGURATION).toEqual({ scanType: 'BASIC', rules: [] });
    });

    it('stores the configuration per registry and keeps the registry policy', async () => {
      const { scanning, registry } = setup();
      await registry.registryAdmin.putPolicy(REGISTRY, '{}', () => undefined);
      const configuration = {
        scanType: 'ENHANCED' as const,
        rules: [{ scanFrequency: 'CONTINUOUS_SCAN' as const, repositoryFilters: [{ filter: 'prod/*', filterType: 'WILDCARD' as const }] }],
      };

      await expect(scanning.putRegistryConfiguration(REGISTRY, configuration)).resolves.toEqual(configuration);

      await expect(scanning.registryConfiguration(REGISTRY)).resolves.toEqual(configuration);
      await expect(scanning.registryConfiguration('111122223333:eu-west-1')).resolves.toEqual(DEFAULT_SCANNING_CONFIGURATION);
      await expect(registry.registryAdmin.getPolicy(REGISTRY)).resolves.toBe('{}');
    });
  });

  describe('repositoryConfiguration', () => {
    it('follows the repository’s own scanOnPush when no registry rule matches', async () => {
      const { scanning, registry } = setup();
      const onPush = await registry.repositoryAdmin.create(repo, { scanOnPush: true });
      const manual = await registry.repositoryAdmin.create({ registry: REGISTRY, name: 'team/other' });

      await expect(scanning.repositoryConfiguration(onPush)).resolves.toEqual({ scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] });
      await expect(scanning.repositoryConfiguration(manual)).resolves.toEqual({ scanOnPush: false, scanFrequency: 'MANUAL', appliedScanFilters: [] });
    });

    it('applies the first registry rule whose wildcard filter matches the name, over the repository’s setting', async () => {
      const { scanning, registry } = setup();
      await scanning.putRegistryConfiguration(REGISTRY, {
        scanType: 'BASIC',
        rules: [
          { scanFrequency: 'MANUAL', repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD' }] },
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] },
        ],
      });
      const team = await registry.repositoryAdmin.create(repo, { scanOnPush: true });
      const other = await registry.repositoryAdmin.create({ registry: REGISTRY, name: 'base/image' });

      await expect(scanning.repositoryConfiguration(team)).resolves.toEqual({
        scanOnPush: false,
        scanFrequency: 'MANUAL',
        appliedScanFilters: [{ filter: 'team/*', filterType: 'WILDCARD' }],
      });
      await expect(scanning.repositoryConfiguration(other)).resolves.toEqual({
        scanOnPush: true,
        scanFrequency: 'SCAN_ON_PUSH',
        appliedScanFilters: [{ filter: '*', filterType: 'WILDCARD' }],
      });
    });
  });

  describe('startManual', () => {
    it('records the scan IN_PROGRESS with its request event, in one write', async () => {
      const { scanning, registry, storage } = setup();
      const image = await pushImage(registry);
      await storage.outbox.due(LATER, 100, 1000); // drain the push events

      await scanning.startManual(repo, image.digest);

      await expect(scanning.result(repo, image.digest)).resolves.toMatchObject({ status: 'IN_PROGRESS', startedAt: new Date('2026-01-01T00:00:00Z') });
      const pending = await storage.outbox.due(LATER, 100, 1000);
      expect(pending.map((entry) => entry.event)).toEqual([
        expect.objectContaining({ type: 'image.scan-requested', registry: REGISTRY, repository: 'team/app', digest: image.digest, reason: 'manual' }),
      ]);
    });

    it('allows one manual scan per image per 24 hours (LimitExceeded)', async () => {
      const { scanning, registry, advance } = setup();
      const image = await pushImage(registry);
      await scanning.startManual(repo, image.digest);
      advance(DAY_MS - 1);

      const error = await scanning.startManual(repo, image.digest).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(LimitExceededError);
      expect(error).toMatchObject({ message: 'The scan quota per image has been exceeded. Wait and try again.' });
      advance(1);
      await expect(scanning.startManual(repo, image.digest)).resolves.toBeUndefined();
      await expect(scanning.result(repo, image.digest)).resolves.toMatchObject({ startedAt: new Date('2026-01-02T00:00:00Z') });
    });

    it('throws RepositoryNotFound for a missing repository and records nothing', async () => {
      const { scanning } = setup();
      const digest = ociImage('amd64').digest;

      await expect(scanning.startManual(repo, digest)).rejects.toBeInstanceOf(NameUnknownError);
      await expect(scanning.result(repo, digest)).resolves.toBeUndefined();
    });
  });

  describe('result', () => {
    it('answers undefined for an image never scanned', async () => {
      const { scanning, registry } = setup();
      const image = await pushImage(registry);

      await expect(scanning.result(repo, image.digest)).resolves.toBeUndefined();
    });
  });
});
