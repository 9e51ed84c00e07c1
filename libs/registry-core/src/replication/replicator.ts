import { randomUUID } from 'node:crypto';
import { newEvent, type EventOf, type RegistryEvent } from '@cargohold/events';
import { formatRegistryKey, parseRegistryKey, type Digest } from '@cargohold/oci';
import type { ManifestRecord, RepoRef, ReplicationDestination, ReplicationStatusStore } from '@cargohold/storage-ports';
import { DEFAULT_REPOSITORY_SETTINGS, ManifestReferencedError } from '@cargohold/storage-ports';
import type { Clock } from '../config';
import { ImageTagImmutableError } from '../ecr-errors';
import type { EventConsumer } from '../event-dispatcher';
import { destinationsFor, type MatchedDestination } from './replication-rules';
import { mayReplicate } from './replication-permission';
import { SHARED_BLOB_STORE, type BlobCopier, type ReplicaRegistries, type ReplicaRegistry } from './replica-registry';

export interface ReplicatorDeps {
  /** The bundle of each registry; the source's too (the event names it). */
  readonly registries: ReplicaRegistries;
  /** Statuses live with the source registry (one store per deployment, or per region on AWS). */
  readonly statuses: ReplicationStatusStore;
  readonly copier?: BlobCopier;
  readonly clock: Clock;
}

/** Why a replication failed, as DescribeImageReplicationStatus's failureCode says it. */
export const FAILURE_CODES = {
  denied: 'REPLICATION_PERMISSION_DENIED',
  immutable: 'IMAGE_TAG_IMMUTABLE',
  error: 'REPLICATION_ERROR',
} as const;

/** How one replication ended. */
export type Outcome = { status: 'COMPLETE' } | { status: 'FAILED'; failureCode: string };

class Refused extends Error {
  constructor(readonly failureCode: string) {
    super(failureCode);
  }
}

/**
 * Registry replication driven by `image.pushed` (and `image.deleted` for rules that replicate deletes).
 * Idempotent and convergent: it re-reads the source (the image, its current tags, the configuration), so a
 * duplicate or late event changes nothing; per destination it creates the repository, links the blobs,
 * then puts children before their index and the manifest last, whose put checks the closure atomically,
 * so the destination never holds a manifest without its blobs and a crash part-way heals on redelivery.
 * A destination that already holds the image with its tags is left alone: that ends cycles (A → B → A).
 */
export class Replicator implements EventConsumer {
  readonly name = 'replicator';
  private readonly copier: BlobCopier;

  constructor(private readonly deps: ReplicatorDeps) {
    this.copier = deps.copier ?? SHARED_BLOB_STORE;
  }

  async handle(event: RegistryEvent): Promise<void> {
    if (event.type !== 'image.pushed' && event.type !== 'image.deleted') return;
    const repo: RepoRef = { registry: event.registry, name: event.repository };
    const source = this.deps.registries(repo.registry);
    const configuration = (await source.registries.get(repo.registry)).replicationConfiguration;
    if (!configuration || configuration.rules.length === 0) return;
    const record = await source.manifests.get(repo, event.digest as Digest);
    if (event.type === 'image.deleted') return this.replicateDelete(repo, source, event, record, destinationsFor(configuration, repo.name, event.tags));
    if (!record) return; // deleted since: nothing to replicate
    const tags = await source.manifests.tagsOf(repo, record.digest);
    for (const destination of destinationsFor(configuration, repo.name, tags)) await this.replicateTo(repo, source, record, tags, destination);
  }

  /**
   * One image to one destination, whatever the rules say (a backfill chose it): the same steps and status
   * records as for a push. Throws what the event path would retry; undefined when the image is gone.
   */
  async replicate(repo: RepoRef, digest: Digest, destination: ReplicationDestination): Promise<Outcome | undefined> {
    const source = this.deps.registries(repo.registry);
    const record = await source.manifests.get(repo, digest);
    if (!record) return undefined;
    const tags = await source.manifests.tagsOf(repo, digest);
    return this.replicateTo(repo, source, record, tags, { ...destination, deletes: false });
  }

  private async replicateTo(
    repo: RepoRef,
    source: ReplicaRegistry,
    record: ManifestRecord,
    tags: readonly string[],
    destination: MatchedDestination,
  ): Promise<Outcome> {
    const target = formatRegistryKey({ account: destination.registryId, region: destination.region });
    const into: RepoRef = { registry: target, name: repo.name };
    const replica = this.deps.registries(target);
    const previous = (await this.deps.statuses.list(repo, record.digest)).find(
      (s) => s.region === destination.region && s.registryId === destination.registryId,
    );
    try {
      if (await this.holds(replica, into, record.digest, tags)) {
        await this.finish(repo, record.digest, into, tags, 'COMPLETE', undefined, previous?.status !== 'COMPLETE');
        return { status: 'COMPLETE' };
      }
      await this.status(repo, record.digest, destination, 'IN_PROGRESS');
      // Refused before anything is written, so a denied replication leaves nothing behind.
      if (!(await mayReplicate(replica.registries, repo.registry, target, repo.name, this.deps.clock))) throw new Refused(FAILURE_CODES.denied);
      await this.ensureRepository(repo, source, replica, into);
      await this.copyImage(repo, source, replica, into, record, tags);
      await this.finish(repo, record.digest, into, tags, 'COMPLETE', undefined, true);
      return { status: 'COMPLETE' };
    } catch (error) {
      if (error instanceof Refused || error instanceof ImageTagImmutableError) {
        const code = error instanceof Refused ? error.failureCode : FAILURE_CODES.immutable;
        await this.finish(repo, record.digest, into, tags, 'FAILED', code, previous?.failureCode !== code);
        return { status: 'FAILED', failureCode: code };
      }
      // Anything else is worth another delivery (the dispatcher or the queue retries); FAILED until then.
      await this.finish(repo, record.digest, into, tags, 'FAILED', FAILURE_CODES.error, previous?.failureCode !== FAILURE_CODES.error);
      throw error;
    }
  }

  private async holds(replica: ReplicaRegistry, into: RepoRef, digest: Digest, tags: readonly string[]): Promise<boolean> {
    if (!(await replica.manifests.get(into, digest))) return false;
    const held = new Set(await replica.manifests.tagsOf(into, digest));
    return tags.every((tag) => held.has(tag));
  }

  /** A missing repository gets the REPLICATION creation template's settings, else the source repository's. */
  private async ensureRepository(repo: RepoRef, source: ReplicaRegistry, replica: ReplicaRegistry, into: RepoRef): Promise<void> {
    if (await replica.repositories.get(into)) return;
    const fromTemplate = await replica.templates.settingsFor(into.registry, into.name, 'REPLICATION');
    const settings =
      Object.keys(fromTemplate).length > 0
        ? { ...DEFAULT_REPOSITORY_SETTINGS, ...fromTemplate }
        : ((await source.repositories.get(repo))?.settings ?? DEFAULT_REPOSITORY_SETTINGS);
    await replica.repositories.create(into, this.deps.clock.now(), settings);
  }

  /** Children first (an index's closure), then blobs, then the manifest byte-exact with its tags. */
  private async copyImage(repo: RepoRef, source: ReplicaRegistry, replica: ReplicaRegistry, into: RepoRef, record: ManifestRecord, tags: readonly string[]) {
    for (const child of record.children) {
      const childRecord = await source.manifests.get(repo, child);
      if (!childRecord) throw new Error(`child manifest ${child} of ${record.digest} is missing from ${repo.name}`);
      if (!(await replica.manifests.get(into, child))) await this.copyImage(repo, source, replica, into, childRecord, []);
    }
    for (const blob of record.blobs) {
      if ((await replica.links.stat(into, blob)).found) continue;
      const link = await source.links.stat(repo, blob);
      if (!link.found) throw new Error(`blob ${blob} of ${record.digest} is not linked in ${repo.name}`);
      await this.copier.copy(blob, link.size, replica);
      await replica.links.link(into, blob, link.size, this.deps.clock.now());
    }
    const bytes = await readAll(source, record.digest);
    await replica.manifestService.put(into, record.digest, bytes, record.mediaType, tags);
  }

  /**
   * Deletes replicate only for rules that ask (cargohold extension): an image gone from the source goes
   * from the destination; a tag gone from the source goes if it still names the same image there.
   */
  private async replicateDelete(
    repo: RepoRef,
    source: ReplicaRegistry,
    event: EventOf<'image.deleted'>,
    record: ManifestRecord | undefined,
    destinations: readonly MatchedDestination[],
  ): Promise<void> {
    const digest = event.digest as Digest;
    for (const destination of destinations.filter((d) => d.deletes)) {
      const into: RepoRef = { registry: formatRegistryKey({ account: destination.registryId, region: destination.region }), name: repo.name };
      const replica = this.deps.registries(into.registry);
      if (!record) {
        await replica.manifestService.deleteDigest(into, digest).catch((error: unknown) => {
          if (!(error instanceof ManifestReferencedError)) throw error; // still a child of an index there
        });
        continue;
      }
      for (const tag of event.tags) {
        if ((await source.manifests.resolveTag(repo, tag)) !== undefined) continue; // re-pushed since
        if ((await replica.manifests.resolveTag(into, tag)) === digest) await replica.manifestService.deleteTag(into, tag);
      }
    }
  }

  private async status(repo: RepoRef, digest: Digest, destination: MatchedDestination, status: 'IN_PROGRESS'): Promise<void> {
    const record = { region: destination.region, registryId: destination.registryId, status, updatedAt: this.deps.clock.now().toISOString() };
    await this.deps.statuses.set(repo, digest, record);
  }

  /** Records a final status, with ECR's Replication Action event when `announce` (something was copied, or the outcome changed). */
  private async finish(
    repo: RepoRef,
    digest: Digest,
    into: RepoRef,
    tags: readonly string[],
    status: 'COMPLETE' | 'FAILED',
    failureCode: string | undefined,
    announce: boolean,
  ): Promise<void> {
    const { account, region } = parseRegistryKey(into.registry);
    const now = this.deps.clock.now();
    const record = { region, registryId: account, status, ...(failureCode ? { failureCode } : {}), updatedAt: now.toISOString() };
    const result = status === 'COMPLETE' ? ('SUCCESS' as const) : ('FAILED' as const);
    const events = announce
      ? [
          newEvent(
            'image.replicated',
            { registry: into.registry, repository: into.name, digest, source: repo.registry, result, tags: [...tags] },
            now,
            randomUUID(),
          ),
        ]
      : [];
    await this.deps.statuses.set(repo, digest, record, events);
  }
}

async function readAll(source: ReplicaRegistry, digest: Digest): Promise<Buffer> {
  const opened = await source.blobs.open(digest);
  if (!opened.found) throw new Error(`manifest ${digest} is missing from the blob store`);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
