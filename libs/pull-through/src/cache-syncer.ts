import type { AccessRecord } from '@cargohold/auth';
import { newEvent, type EventOf, type RegistryEvent } from '@cargohold/events';
import { parseDigest, parseReference, type Digest } from '@cargohold/oci';
import { systemClock, type Clock, type Registry } from '@cargohold/registry-core';
import { DEFAULT_REPOSITORY_SETTINGS, upstreamFailure, type RegistryStorage, type RepoRef } from '@cargohold/storage-ports';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CacheRequest, CacheRequests } from './cache-requests';
import { ImportDeniedError } from './errors';
import { asPullError, failureKind } from './pull-failures';
import { ImageImporter, MANIFEST_ACCEPT, type LazyImport } from './image-import';
import type { PullThroughRules } from './rule-admin';
import type { RuleMatch } from './rules';
import { SingleFlight } from './single-flight';

/** ECR re-checks a cached tag against its upstream at most once a day. */
export const DEFAULT_REFRESH_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** Where `cache.synced` events go (embedded: the outbox; a no-op twin where none is wired). */
export interface CacheEventSink {
  record(events: readonly RegistryEvent[]): Promise<void>;
}

/** A manifest to serve as the upstream has it: its closure is not cached yet. */
export interface PassedThroughManifest {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export type Allows = (access: readonly AccessRecord[]) => Promise<readonly boolean[]>;

/** The rule a blob is filled through elsewhere: what the fill capability is bound to. */
export interface FillRule {
  readonly rulePrefix: string;
  readonly upstream: string;
}

export interface CacheSyncerDeps {
  readonly registry: Registry;
  readonly storage: Pick<RegistryStorage, 'repositories' | 'manifests' | 'blobs' | 'links' | 'reclaim'>;
  readonly rules: PullThroughRules;
  readonly events?: CacheEventSink;
  readonly clock?: Clock;
  readonly refreshIntervalMs?: number;
  /**
   * A blob GET that misses: `stream` the upstream's bytes to the client while storing them (a long-lived
   * server), or `store-first` and let the route serve it from storage (Lambda, whose response cannot
   * carry a layer: the route then redirects to S3). Default `stream`.
   */
  readonly blobMisses?: 'stream' | 'store-first';
  /**
   * Blobs are not fetched with their manifest (a Lambda, whose time budget a large image outruns; its
   * blob misses go to the upload gateway): a manifest whose blobs are not all stored is served as the
   * upstream has it, uncached, and stored with its tag by the pull after its blobs were filled.
   */
  readonly lazyBlobs?: boolean;
  /** With lazy blobs: where a manifest served uncached is sent to be cached in the background. */
  readonly cacheRequests?: CacheRequests;
  /** Told of a background request that could not be sent: the pull is served all the same, and the next one caches the tag. */
  readonly onCacheRequestFailure?: (request: CacheRequest, error: unknown) => void;
  /** Told of upstream failures that were answered from the cache (the upstream is down, say). */
  readonly onStaleServe?: (repo: RepoRef, reference: string, error: unknown) => void;
}

/**
 * The cache-syncer's pull-miss path, as the distribution API calls it before a read: a manifest the
 * repository lacks is fetched from the rule's upstream and stored (with its closure); a cached tag is
 * re-checked at most once per refresh interval; a missing blob streams from the upstream while stored.
 * Repositories no rule covers are left alone.
 */
export class CacheSyncer {
  private readonly importer: ImageImporter;
  private readonly flights = new SingleFlight();
  private readonly checkedAt = new Map<string, number>();
  private readonly clock: Clock;
  private readonly refreshIntervalMs: number;

  constructor(private readonly deps: CacheSyncerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.refreshIntervalMs = deps.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;
    const { storage } = deps;
    this.importer = new ImageImporter({
      registry: deps.registry,
      blobs: storage.blobs,
      links: storage.links,
      manifests: storage.manifests,
      ...(storage.reclaim ? { reclaim: storage.reclaim } : {}),
      clock: this.clock,
    });
  }

  /**
   * Before a manifest GET/HEAD: make `reference` present (and fresh, for a tag) when a rule covers the
   * repository. With lazy blobs, answers the upstream's manifest to serve when it could not be stored yet.
   */
  async beforeManifestRead(repo: RepoRef, reference: string, allows: Allows): Promise<PassedThroughManifest | undefined> {
    const ref = safeReference(reference);
    const match = ref && (await this.deps.rules.match(repo.registry, repo.name));
    if (!ref || !match) return undefined;
    const local = ref.kind === 'digest' ? (await this.deps.storage.manifests.get(repo, ref.digest))?.digest : await this.resolveTag(repo, ref.tag);
    if (local !== undefined) return ref.kind === 'tag' ? this.refresh(repo, ref.tag, match, local) : undefined;
    await this.authorizeImport(repo, allows);
    return passedThrough(await this.flights.run(`${repo.registry}/${repo.name}:${reference}`, () => this.pull(repo, reference, match)));
  }

  /** On a blob GET/HEAD that found nothing: the blob from the upstream (streamed), or undefined to read storage again. */
  async onBlobMiss(repo: RepoRef, digestText: string, allows: Allows): Promise<{ digest: Digest; size: number; body: Readable } | undefined> {
    const match = await this.deps.rules.match(repo.registry, repo.name);
    if (!match) return undefined;
    const { digest } = parseDigest(digestText);
    await this.authorizeImport(repo, allows);
    await this.ensureRepository(repo);
    try {
      const source = await this.deps.rules.sourceFor(match.rule);
      if (this.deps.blobMisses === 'store-first') return void (await this.importer.fetchBlob(repo, source, match.upstreamRepository, digest));
      const streamed = await this.importer.streamBlob(repo, source, match.upstreamRepository, digest);
      return streamed && { digest, ...streamed };
    } catch (error) {
      throw asPullError(digest, error);
    }
  }

  /**
   * On a blob GET/HEAD that found nothing, where the bytes are fetched by another server (a Lambda
   * redirects to the upload gateway): the covering rule, once the caller may import and the repository
   * exists; undefined when no rule covers it, or when the blob is stored already (it is linked here, to be read again).
   */
  async planBlobFill(repo: RepoRef, digestText: string, allows: Allows): Promise<FillRule | undefined> {
    const match = await this.deps.rules.match(repo.registry, repo.name);
    if (!match) return undefined;
    const { digest } = parseDigest(digestText);
    await this.authorizeImport(repo, allows);
    await this.ensureRepository(repo);
    if (await this.importer.linkIfStored(repo, digest)) return undefined;
    return { rulePrefix: match.rule.ecrRepositoryPrefix, upstream: match.rule.upstreamRegistryUrl };
  }

  /** Whether `rule` is still the one covering the repository (a fill capability outlives no change of rule). */
  async stillCovers(repo: RepoRef, rule: FillRule): Promise<boolean> {
    const match = await this.deps.rules.match(repo.registry, repo.name);
    return match !== undefined && match.rule.ecrRepositoryPrefix === rule.rulePrefix && match.rule.upstreamRegistryUrl === rule.upstream;
  }

  /** The rule covering the repository, as a fill capability names it; undefined when none does. */
  async coveringRule(repo: RepoRef): Promise<FillRule | undefined> {
    const match = await this.deps.rules.match(repo.registry, repo.name);
    return match && { rulePrefix: match.rule.ecrRepositoryPrefix, upstream: match.rule.upstreamRegistryUrl };
  }

  /** Whether a pull-through cache rule covers the repository. */
  async covers(repo: RepoRef): Promise<boolean> {
    return (await this.deps.rules.match(repo.registry, repo.name)) !== undefined;
  }

  /**
   * The background worker's job (a CacheRequest): stores `reference` with its whole closure, blobs
   * included whatever lazyBlobs says, or moves a cached tag where the upstream moved it. Idempotent:
   * a redelivered request finds the tag cached and only re-checks it. False when no rule covers the repository.
   */
  async cacheReference(repo: RepoRef, reference: string): Promise<boolean> {
    const ref = safeReference(reference);
    const match = ref && (await this.deps.rules.match(repo.registry, repo.name));
    if (!ref || !match) return false;
    const local = ref.kind === 'digest' ? (await this.deps.storage.manifests.get(repo, ref.digest))?.digest : await this.resolveTag(repo, ref.tag);
    if (local === undefined) await this.flights.run(`${repo.registry}/${repo.name}:${reference}`, () => this.pull(repo, reference, match, false));
    else if (ref.kind === 'tag') await this.recheck(repo, ref.tag, match, local, false);
    return true;
  }

  /** Scheduled refresh: re-check one cached tag now, whatever the interval. */
  async refreshTag(repo: RepoRef, tag: string): Promise<void> {
    const match = await this.deps.rules.match(repo.registry, repo.name);
    const local = await this.resolveTag(repo, tag);
    if (match && local !== undefined) await this.recheck(repo, tag, match, local);
  }

  /**
   * Stores `reference` from the upstream; with lazy blobs, answers it uncached when its blobs are not all
   * stored yet, and asks for it to be cached in the background.
   */
  private async pull(repo: RepoRef, reference: string, match: RuleMatch, lazy = this.deps.lazyBlobs === true): Promise<LazyImport | undefined> {
    let created = false;
    try {
      created = await this.ensureRepository(repo);
      const source = await this.deps.rules.sourceFor(match.rule);
      const imported = lazy
        ? await this.importer.importManifestLazily(repo, source, match.upstreamRepository, reference)
        : { stored: true as const, ...(await this.importer.importManifest(repo, source, match.upstreamRepository, reference)) };
      if (!imported.stored) {
        await this.requestCache({ registry: repo.registry, repository: repo.name, reference });
        return imported;
      }
      const { digest } = imported;
      this.checkedAt.set(this.tagKey(repo, reference), this.clock.now().getTime());
      await this.record(this.synced(repo, match, reference, digest));
      return undefined;
    } catch (error) {
      if (created) await this.dropIfEmpty(repo);
      // Not on the upstream either: the read that follows answers the usual 404.
      if (upstreamFailure(error) === 'not-found') return undefined;
      await this.record(this.synced(repo, match, reference, undefined, error));
      throw asPullError(reference, error);
    }
  }

  /**
   * A cached tag is checked against the upstream at most once per interval; a failing upstream leaves the
   * cached copy served. A moved tag whose new blobs are not stored yet (lazy blobs) is served uncached,
   * and checked again by the next pull, which stores it once its blobs were filled.
   */
  private async refresh(repo: RepoRef, tag: string, match: RuleMatch, local: Digest): Promise<PassedThroughManifest | undefined> {
    const last = this.checkedAt.get(this.tagKey(repo, tag));
    if (last !== undefined && this.clock.now().getTime() - last < this.refreshIntervalMs) return undefined;
    return this.recheck(repo, tag, match, local).catch((error: unknown) => void this.deps.onStaleServe?.(repo, tag, error));
  }

  private recheck(repo: RepoRef, tag: string, match: RuleMatch, local: Digest, lazy?: boolean): Promise<PassedThroughManifest | undefined> {
    const key = this.tagKey(repo, tag);
    return this.flights.run(`refresh:${key}`, async () => {
      this.checkedAt.set(key, this.clock.now().getTime());
      const source = await this.deps.rules.sourceFor(match.rule);
      const upstream = await source.headManifest(match.upstreamRepository, tag, MANIFEST_ACCEPT);
      if (upstream === undefined || upstream.digest === local) return undefined;
      const pending = passedThrough(await this.pull(repo, tag, match, lazy));
      if (pending) this.checkedAt.delete(key);
      return pending;
    });
  }

  private async requestCache(request: CacheRequest): Promise<void> {
    await this.deps.cacheRequests?.request(request).catch((error: unknown) => this.deps.onCacheRequestFailure?.(request, error));
  }

  /** ECR: pulling through the cache needs ecr:BatchImportUpstreamImage, and ecr:CreateRepository for a first pull. */
  private async authorizeImport(repo: RepoRef, allows: Allows): Promise<void> {
    const exists = (await this.deps.storage.repositories.get(repo)) !== undefined;
    const needed: AccessRecord[] = [{ action: 'ecr:BatchImportUpstreamImage', repository: repo.name }];
    if (!exists) needed.push({ action: 'ecr:CreateRepository', repository: repo.name });
    const granted = await allows(needed);
    const missing = needed.filter((_, index) => granted[index] !== true).map((record) => record.action);
    if (missing.length > 0) throw new ImportDeniedError(repo.name, missing);
  }

  /** First pull: the repository, with the settings of the creation template that applies to PULL_THROUGH_CACHE; true when created here. */
  private async ensureRepository(repo: RepoRef): Promise<boolean> {
    if (await this.deps.storage.repositories.get(repo)) return false;
    const settings = await this.deps.registry.templates.settingsFor(repo.registry, repo.name, 'PULL_THROUGH_CACHE');
    return (await this.deps.storage.repositories.create(repo, this.clock.now(), { ...DEFAULT_REPOSITORY_SETTINGS, ...settings })).created;
  }

  /**
   * A first pull that failed (or found nothing upstream) leaves no empty repository behind: the one it
   * created goes again while it holds no image (a pull of another tag that stored one keeps it).
   */
  private async dropIfEmpty(repo: RepoRef): Promise<void> {
    try {
      if ((await this.deps.storage.manifests.list(repo, { limit: 1 })).length === 0) await this.deps.storage.repositories.delete(repo);
    } catch {
      // Best effort: an empty repository is harmless, and the next pull fills it.
    }
  }

  private async resolveTag(repo: RepoRef, tag: string): Promise<Digest | undefined> {
    return (await this.deps.storage.repositories.get(repo)) ? this.deps.storage.manifests.resolveTag(repo, tag) : undefined;
  }

  private tagKey(repo: RepoRef, reference: string): string {
    return `${repo.registry}/${repo.name}:${reference}`;
  }

  private synced(repo: RepoRef, match: RuleMatch, reference: string, digest: Digest | undefined, error?: unknown): EventOf<'cache.synced'> {
    const tag = reference.includes(':') ? undefined : reference;
    const failure =
      error === undefined ? {} : { failureCode: failureKind(error) ?? 'internal', failureReason: error instanceof Error ? error.message : String(error) };
    const fields = {
      registry: repo.registry,
      repository: repo.name,
      digest: digest ?? reference,
      status: error === undefined ? ('SUCCESS' as const) : ('FAILED' as const),
      ecrRepositoryPrefix: match.rule.ecrRepositoryPrefix,
      upstreamRegistryUrl: match.rule.upstreamRegistryUrl,
      ...(tag !== undefined ? { tag } : {}),
      ...failure,
    };
    return newEvent('cache.synced', fields, this.clock.now(), randomUUID());
  }

  private async record(event: RegistryEvent): Promise<void> {
    await this.deps.events?.record([event]).catch(() => undefined);
  }
}

function passedThrough(imported: LazyImport | undefined): PassedThroughManifest | undefined {
  return imported && !imported.stored ? { digest: imported.digest, mediaType: imported.mediaType, bytes: imported.bytes } : undefined;
}

function safeReference(reference: string): ReturnType<typeof parseReference> | undefined {
  try {
    return parseReference(reference);
  } catch {
    return undefined;
  }
}
