import type { RegistryEvent } from '@cargohold/events';
import { digestOf, type Digest } from '@cargohold/oci';
import { createMemoryStorage, MemoryRepositoryCreationTemplateStore } from '@cargohold/storage-memory';
import type { ReplicationRule } from '@cargohold/storage-ports';
import { bodyOf, ociImage, ociIndex, type ImageFixture } from '@cargohold/storage-testing';
import { EventDispatcher } from '../event-dispatcher';
import { createRegistry, type Registry } from '../registry';
import { VerifiedBlobStore } from '../verified-blob-store';
import type { ReplicaRegistry } from './replica-registry';
import { FAILURE_CODES, Replicator } from './replicator';

const EAST = '000000000000:us-east-1';
const WEST = '000000000000:us-west-2';
const OTHER_EAST = '111111111111:us-east-1';
const app = { registry: EAST, name: 'team/app' };
const west = { ...app, registry: WEST };
const TO_WEST: ReplicationRule = { destinations: [{ region: 'us-west-2', registryId: '000000000000' }] };

function setup() {
  const storage = createMemoryStorage();
  const templates = new MemoryRepositoryCreationTemplateStore();
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  const registry = createRegistry({ storage, templates, replicationStatuses: storage.replications, clock });
  const bundle: ReplicaRegistry = {
    ...storage,
    blobs: new VerifiedBlobStore(storage.blobs),
    templates: registry.templates,
    manifestService: registry.manifests,
  };
  let replica = bundle;
  const replicator = new Replicator({ registries: () => replica, statuses: storage.replications, clock });
  const configure = (registry_: string, ...rules: ReplicationRule[]) => registry.replication.putConfiguration(registry_, { rules });
  /** Events recorded so far and not yet consumed, oldest first. */
  const pending = async (): Promise<RegistryEvent[]> => {
    const entries = await storage.outbox.due(new Date('2100-01-01T00:00:00Z'), 1000, 1e12);
    for (const entry of entries) await storage.outbox.delivered(entry.seq);
    return entries.map((entry) => entry.event);
  };
  return { storage, registry, replicator, configure, pending, bundle, swapReplica: (next: ReplicaRegistry) => (replica = next) };
}

async function push(registry: Registry, image: ImageFixture | ReturnType<typeof ociIndex>, tags: string[] = [], repo = app): Promise<Digest> {
  for (const blob of image.blobs) await registry.uploads.putMonolithic(repo, digestOf(blob), bodyOf(blob));
  await registry.manifests.put(repo, image.digest, image.manifest, image.mediaType, tags);
  return image.digest;
}

const pushedOnly = (events: RegistryEvent[]) => events.filter((e) => e.type === 'image.pushed');

describe('Replicator', () => {
  it('converges to the source state whatever the order and number of deliveries', async () => {
    const { registry, storage, replicator, configure, pending } = setup();
    await configure(EAST, TO_WEST);
    const first = await push(registry, ociImage('first'), ['latest']);
    const second = await push(registry, ociImage('second'), ['latest']);
    const [pushedFirst, pushedSecond] = pushedOnly(await pending());

    for (const event of [pushedSecond, pushedFirst, pushedSecond, pushedFirst]) await replicator.handle(event as RegistryEvent);

    expect(await storage.manifests.resolveTag(west, 'latest')).toBe(second);
    expect(await storage.manifests.tagsOf(west, first)).toEqual([]);
    expect(await storage.manifests.get(west, first)).toMatchObject({ digest: first });
    expect(await storage.replications.list(app, second)).toEqual([expect.objectContaining({ region: 'us-west-2', status: 'COMPLETE' })]);
  });

  it('heals on redelivery after a crash between the blobs and the manifest, never holding a manifest without its blobs', async () => {
    const { registry, storage, replicator, configure, pending, bundle, swapReplica } = setup();
    await configure(EAST, TO_WEST);
    const image = ociImage('crash');
    await push(registry, image, ['v1']);
    const [pushed] = pushedOnly(await pending());
    const crash = new Error('process died');
    swapReplica({
      ...bundle,
      manifestService: Object.assign(Object.create(registry.manifests) as typeof registry.manifests, { put: () => Promise.reject(crash) }),
    });

    await expect(replicator.handle(pushed as RegistryEvent)).rejects.toBe(crash);
    expect(await storage.manifests.get(west, image.digest)).toBeUndefined();
    expect((await storage.links.stat(west, digestOf(image.layer))).found).toBe(true);
    expect(await storage.replications.list(app, image.digest)).toEqual([expect.objectContaining({ status: 'FAILED', failureCode: FAILURE_CODES.error })]);

    swapReplica(bundle);
    await replicator.handle(pushed as RegistryEvent);
    expect(await storage.manifests.resolveTag(west, 'v1')).toBe(image.digest);
    expect(await storage.replications.list(app, image.digest)).toEqual([expect.objectContaining({ status: 'COMPLETE' })]);
  });

  it('replicates an index with all its children, and announces it in ECR’s Replication Action shape', async () => {
    const { registry, storage, replicator, configure, pending } = setup();
    await configure(EAST, TO_WEST);
    const amd = ociImage('amd64');
    const arm = ociImage('arm64');
    await push(registry, amd);
    await push(registry, arm);
    const index = ociIndex([amd, arm]);
    await push(registry, index, ['multi']);
    for (const event of pushedOnly(await pending())) await replicator.handle(event);

    expect(await storage.manifests.get(west, index.digest)).toMatchObject({ children: [amd.digest, arm.digest] });
    const replicated = (await pending()).filter((e) => e.type === 'image.replicated');
    expect(replicated).toContainEqual(expect.objectContaining({ registry: WEST, digest: index.digest, source: EAST, result: 'SUCCESS', tags: ['multi'] }));
  });

  it('fails a cross-account destination whose registry policy does not allow it, writing nothing there', async () => {
    const { registry, storage, replicator, configure, pending } = setup();
    await configure(EAST, { destinations: [{ region: 'us-east-1', registryId: '111111111111' }] });
    const digest = await push(registry, ociImage('denied'), ['v1']);
    for (const event of pushedOnly(await pending())) await replicator.handle(event);

    expect(await storage.replications.list(app, digest)).toEqual([expect.objectContaining({ status: 'FAILED', failureCode: FAILURE_CODES.denied })]);
    expect(await storage.repositories.get({ registry: OTHER_EAST, name: app.name })).toBeUndefined();
  });

  it('gives a created repository the REPLICATION template’s settings, else the source repository’s', async () => {
    const { registry, storage, replicator, configure, pending } = setup();
    await configure(EAST, TO_WEST);
    await registry.templates.create(WEST, {
      prefix: 'team',
      resourceTags: [],
      imageTagMutability: 'IMMUTABLE',
      imageTagMutabilityExclusionFilters: [],
      appliedFor: ['REPLICATION'],
    });
    await registry.repositoryAdmin.create({ registry: EAST, name: 'solo/app' }, { scanOnPush: true });
    await push(registry, ociImage('templated'), ['v1']);
    await push(registry, ociImage('solo'), ['v1'], { registry: EAST, name: 'solo/app' });
    for (const event of pushedOnly(await pending())) await replicator.handle(event);

    expect((await storage.repositories.get(west))?.settings.imageTagMutability).toBe('IMMUTABLE');
    expect((await storage.repositories.get({ registry: WEST, name: 'solo/app' }))?.settings.scanOnPush).toBe(true);
  });

  it('ends a cycle of rules (east → west → east) instead of replicating forever', async () => {
    const { registry, storage, replicator, configure } = setup();
    await configure(EAST, TO_WEST);
    await configure(WEST, { destinations: [{ region: 'us-east-1', registryId: '000000000000' }] });
    const digest = await push(registry, ociImage('cycle'), ['v1']);
    const dispatcher = new EventDispatcher(storage.outbox, [replicator], { now: () => new Date('2026-01-01T00:00:00Z') });

    await dispatcher.drain();

    expect(await storage.manifests.resolveTag(west, 'v1')).toBe(digest);
    expect(await storage.replications.list(west, digest)).toEqual([expect.objectContaining({ region: 'us-east-1', status: 'COMPLETE' })]);
  });

  it('replicates deletes only for rules that ask for it', async () => {
    const { registry, storage, replicator, configure, pending } = setup();
    const kept = { registry: EAST, name: 'keep/app' };
    await configure(
      EAST,
      { ...TO_WEST, repositoryFilters: [{ filter: 'team', filterType: 'PREFIX_MATCH' }], deleteReplication: { enabled: true } },
      { ...TO_WEST, repositoryFilters: [{ filter: 'keep', filterType: 'PREFIX_MATCH' }] },
    );
    const gone = await push(registry, ociImage('gone'), ['v1']);
    const stays = await push(registry, ociImage('stays'), ['v1'], kept);
    for (const event of await pending()) await replicator.handle(event);

    await registry.manifests.deleteDigest(app, gone);
    await registry.manifests.deleteDigest(kept, stays);
    for (const event of await pending()) await replicator.handle(event);

    expect(await storage.manifests.get(west, gone)).toBeUndefined();
    expect(await storage.manifests.get({ ...kept, registry: WEST }, stays)).toMatchObject({ digest: stays });
  });
});
