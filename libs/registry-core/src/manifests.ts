import {
  acceptsMediaType,
  blobReferences,
  childManifests,
  ManifestInvalidError,
  ManifestTooLargeError,
  parseManifest,
  referrerDescriptor,
  type Descriptor,
  type ParsedManifest,
} from '@cargohold/manifests';
import { digestOf, parseDigest, parseReference, TagInvalidError, validateRepositoryName, validateTag, type Digest } from '@cargohold/oci';
import {
  BlobCorruptError,
  DigestMismatchError,
  TagConflictError,
  type BlobLinkStore,
  type BlobStore,
  type ManifestRecord,
  type ManifestStore,
  type RepoRef,
} from '@cargohold/storage-ports';
import { ByteCache } from './byte-cache';
import { EventFactory } from './event-factory';
import type { Clock, RegistryLimits } from './config';
import { ImageTagImmutableError } from './ecr-errors';
import { ManifestBlobUnknownError, ManifestCorruptError, ManifestUnknownError } from './errors';
import { ImageArchivedError } from './lifecycle-errors';
import { isTagImmutable } from './tag-mutability';
import type { RepositoryResolver } from './repositories';
import { putVerified } from './uploads/verified-put';
import { BlobPins } from './gc/blob-pins';
import { PullRecords } from './pull-records';

/** Whether a principal's pulls leave pull times alone (PullTimeExclusions, or the no-op twin). */
export interface PullExclusionCheck {
  excludes(registry: string, principalArn: string): Promise<boolean>;
}

const NO_PULL_EXCLUSIONS: PullExclusionCheck = { excludes: async () => false };

export interface ManifestPorts {
  readonly blobs: BlobStore;
  readonly manifests: ManifestStore;
  readonly links: BlobLinkStore;
}

export interface StoredManifest {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
}

export interface PushedManifest extends StoredManifest {
  readonly tags: readonly string[];
  readonly subject?: Digest;
}

async function* once(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}

const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';

/** Manifest pull, push, delete and the referrers index, over the exact bytes clients sent. */
export class ManifestService {
  private readonly cache = new ByteCache(64 * 1024 * 1024, 1024 * 1024);
  private readonly pullsRecorded = new PullRecords(100_000);
  private failingPullRecords = false;
  /** Pull times that could not be recorded (a full or read-only disk, a throttled table): reads served anyway. */
  pullRecordFailures = 0;

  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly ports: ManifestPorts,
    private readonly limits: RegistryLimits,
    private readonly clock: Clock,
    private readonly events: EventFactory = new EventFactory(clock),
    /** Told of the first failure to record a pull after a success (so an outage is reported once). */
    private readonly onPullRecordFailure: (error: unknown) => void = () => undefined,
    /** Principals whose pulls leave pull times alone (RegisterPullTimeUpdateExclusion); none by default. */
    private readonly pullExclusions: PullExclusionCheck = NO_PULL_EXCLUSIONS,
    /** Garbage collection's pins; without a reclaim store, plain calls. */
    private readonly pins: BlobPins = new BlobPins(undefined, ports.blobs, clock),
  ) {}

  /** HEAD: what GET would return, without reading the bytes. */
  async stat(repo: RepoRef, reference: string, accept: string | undefined): Promise<StoredManifest> {
    return this.acceptable(await this.pulled(repo, reference), reference, accept);
  }

  /** `pulledBy`: the puller's principal ARN, checked against the pull-time update exclusions. An archived image is not pullable. */
  async get(repo: RepoRef, reference: string, accept: string | undefined, pulledBy?: string): Promise<StoredManifest & { bytes: Buffer }> {
    const record = await this.pulled(repo, reference);
    const manifest = this.acceptable(record, reference, accept);
    if (record.storageClass === 'ARCHIVE') throw new ImageArchivedError(record.digest, repo.name);
    // The cache hit and the pull recorded within the interval are answered without an await: every pull
    // of a hot image takes both paths.
    const bytes = this.cache.get(manifest.digest) ?? (await this.bytesOf(manifest.digest));
    if (this.pullRecordDue(repo, manifest.digest)) await this.recordPull(repo, manifest.digest, pulledBy);
    return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size, bytes };
  }

  private acceptable(record: ManifestRecord, reference: string, accept: string | undefined): StoredManifest {
    if (!acceptsMediaType(record.mediaType, accept)) {
      throw new ManifestUnknownError(reference, `stored media type ${record.mediaType} is not in Accept`);
    }
    return { digest: record.digest, mediaType: record.mediaType, size: record.size };
  }

  /**
   * PUT by tag or digest, plus `?tag=` extras. Validates the closure before anything is recorded (the
   * friendly error); ManifestStore.put checks it again atomically with the write, so a concurrent delete of a
   * child or unlink of a blob makes the push fail with ManifestClosureError instead of breaking invariant 3.
   */
  async put(repo: RepoRef, reference: string, bytes: Buffer, contentType: string | undefined, extraTags: readonly string[] = []): Promise<PushedManifest> {
    const ref = parseReference(reference);
    extraTags.forEach((tag) => validateTag(tag));
    if (bytes.length > this.limits.maxManifestBytes) throw new ManifestTooLargeError(bytes.length, this.limits.maxManifestBytes);
    const repository = await this.repositories.forPush(repo);
    const parsed = parseManifest(bytes, contentType);

    const digest = digestOf(bytes, ref.kind === 'digest' ? parseDigest(ref.digest).algorithm : 'sha256');
    if (ref.kind === 'digest' && ref.digest !== digest) {
      throw new DigestMismatchError(ref.digest, digest);
    }
    const children = await this.checkClosure(repo, parsed);
    const tags = [...new Set([...(ref.kind === 'tag' ? [ref.tag] : []), ...extraTags])];
    const immutableTags = tags.filter((tag) => isTagImmutable(repository.settings, tag));
    await this.checkTagMutability(repo, immutableTags, digest);

    const event = this.events.pushed(repo, digest, parsed.mediaType, tags);
    // Pinned from before the bytes are stored until the record that keeps them exists, so garbage
    // collection cannot delete the manifest's bytes in between (gc/garbage-collector.ts).
    await this.pins.pinned(digest, repo, async () => {
      await putVerified(this.ports.blobs, digest, once(bytes), { maxBytes: this.limits.maxManifestBytes, expectedSize: bytes.length });
      this.cache.set(digest, bytes);
      await this.ports.manifests.put(repo, this.recordOf(parsed, digest, bytes.length, children), tags, [event], { immutableTags }).catch((error: unknown) => {
        // A concurrent push took the immutable tag since the check above: the same answer as a lone push.
        throw error instanceof TagConflictError ? new ImageTagImmutableError(error.tag, repo.name) : error;
      });
    });
    return { digest, mediaType: parsed.mediaType, size: bytes.length, tags, ...(parsed.subject ? { subject: parsed.subject.digest } : {}) };
  }

  /** DELETE by digest removes the manifest and its tags; DELETE by tag removes only the tag. */
  async delete(repo: RepoRef, reference: string): Promise<void> {
    const ref = parseReference(reference);
    await this.repositories.require(repo);
    const deleted = ref.kind === 'digest' ? await this.deleteDigest(repo, ref.digest) : await this.deleteTag(repo, ref.tag);
    if (!deleted) throw new ManifestUnknownError(reference);
  }

  /**
   * Removes an image and every tag on it, recording `image.deleted` (with the lifecycle's reason, if it
   * expired) with the change. With `expectedTags` (sorted), only if exactly those tags are still on it.
   */
  async deleteDigest(repo: RepoRef, digest: Digest, reason?: 'lifecycle', expectedTags?: readonly string[]): Promise<boolean> {
    const tags = expectedTags ?? (await this.ports.manifests.tagsOf(repo, digest));
    const options = expectedTags ? { expectedTags } : {};
    return this.ports.manifests.delete(repo, digest, [this.events.deleted(repo, digest, tags, reason)], options);
  }

  /** Removes one tag, recording `image.deleted` for that tag with the change. */
  async deleteTag(repo: RepoRef, tag: string): Promise<boolean> {
    const digest = await this.ports.manifests.resolveTag(repo, tag);
    if (digest === undefined) return false;
    return this.ports.manifests.deleteTag(repo, tag, [this.events.deleted(repo, digest, [tag])]);
  }

  /** The referrers API: an OCI index of the manifests whose subject is `digest`; never 404. */
  async referrers(repo: RepoRef, subject: Digest, artifactType?: string): Promise<{ body: Buffer; filtered: boolean }> {
    const exists = await this.repositories.exists(repo);
    const records = exists ? await this.ports.manifests.referrers(repo, subject) : [];
    const descriptors: Descriptor[] = records
      .filter((record) => artifactType === undefined || record.artifactType === artifactType)
      .map((record) => ({
        mediaType: record.mediaType,
        digest: record.digest,
        size: record.size,
        ...(record.artifactType ? { artifactType: record.artifactType } : {}),
        ...(record.annotations ? { annotations: { ...record.annotations } } : {}),
      }));
    const index = { schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE, manifests: descriptors };
    return { body: Buffer.from(JSON.stringify(index)), filtered: artifactType !== undefined };
  }

  /** The referrers of `subject` in a repository that must exist (ECR's ListImageReferrers). */
  async referrerRecords(repo: RepoRef, subjectText: string): Promise<ManifestRecord[]> {
    const { digest } = parseDigest(subjectText);
    await this.repositories.require(repo);
    return this.ports.manifests.referrers(repo, digest);
  }

  /**
   * A pull by an ill-formed tag (`GET /v2/<name>/manifests/.INVALID`) finds nothing: 404 MANIFEST_UNKNOWN.
   * CNCF distribution answers 404 (its route does not match such a reference) and the OCI conformance
   * suite expects 404 (goharbor/harbor#12494); a push by an ill-formed tag still answers 400 TAG_INVALID.
   */
  /**
   * The record a pull (GET or HEAD) names. The repository is read only when there is none, to answer
   * NAME_UNKNOWN rather than MANIFEST_UNKNOWN: a tag or manifest recorded under the repository proves it
   * exists, so a pull by tag costs two metadata reads (tag, manifest), not three. The one difference it
   * makes: on DynamoDB, whose repository delete removes the repository item before its tags, a pull racing
   * that delete may still be served, as it would have been a moment earlier.
   */
  private async pulled(repo: RepoRef, reference: string): Promise<ManifestRecord> {
    validateRepositoryName(repo.name);
    try {
      return await this.resolve(repo, reference);
    } catch (error) {
      if (error instanceof ManifestUnknownError) await this.repositories.require(repo);
      throw error;
    }
  }

  private async resolve(repo: RepoRef, reference: string): Promise<ManifestRecord> {
    const ref = pullReference(reference);
    const digest = ref.kind === 'digest' ? ref.digest : await this.ports.manifests.resolveTag(repo, ref.tag);
    const record = digest && (await this.ports.manifests.get(repo, digest));
    if (!record) throw new ManifestUnknownError(reference);
    return record;
  }

  /**
   * Immutable tags may be re-pushed to the same image, never moved to another (ECR semantics). Checked
   * here to refuse before the bytes are stored; ManifestStore.put checks again atomically (immutableTags).
   */
  private async checkTagMutability(repo: RepoRef, immutableTags: readonly string[], digest: Digest): Promise<void> {
    for (const tag of immutableTags) {
      const current = await this.ports.manifests.resolveTag(repo, tag);
      if (current !== undefined && current !== digest) throw new ImageTagImmutableError(tag, repo.name);
    }
  }

  /** Every blob and child the manifest names must be in this repository; returns the children. */
  private async checkClosure(repo: RepoRef, parsed: ParsedManifest): Promise<ManifestRecord[]> {
    for (const blob of blobReferences(parsed)) {
      const link = await this.ports.links.stat(repo, blob.digest);
      if (!link.found) throw new ManifestBlobUnknownError(blob.digest, 'blob');
      if (link.size !== blob.size) {
        throw new ManifestInvalidError(`descriptor of ${blob.digest} says ${blob.size} bytes, the blob has ${link.size}`);
      }
    }
    const children: ManifestRecord[] = [];
    for (const child of childManifests(parsed)) {
      const record = await this.ports.manifests.get(repo, child.digest);
      if (!record) throw new ManifestBlobUnknownError(child.digest, 'manifest');
      children.push(record);
    }
    return children;
  }

  private recordOf(parsed: ParsedManifest, digest: Digest, size: number, children: readonly ManifestRecord[]): ManifestRecord {
    const referrer = referrerDescriptor(parsed, digest, size);
    const imageSizeBytes =
      parsed.kind === 'image'
        ? parsed.layers.reduce((total, layer) => total + layer.size, 0)
        : children.reduce((largest, child) => Math.max(largest, child.imageSizeBytes), 0);
    return {
      digest,
      mediaType: parsed.mediaType,
      size,
      ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
      ...(parsed.subject ? { subject: parsed.subject.digest } : {}),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
      blobs: blobReferences(parsed).map((d) => d.digest),
      children: childManifests(parsed).map((d) => d.digest),
      ...(parsed.kind === 'image' ? { configMediaType: parsed.config.mediaType } : {}),
      imageSizeBytes,
      pushedAt: this.clock.now(),
    };
  }

  /**
   * The manifest's bytes, verified against its digest on every read from the blob store (manifests are
   * small); bytes that fail are quarantined and never served, cached or parsed.
   */
  private async bytesOf(digest: Digest): Promise<Buffer> {
    const cached = this.cache.get(digest);
    if (cached) return cached;
    const opened = await this.ports.blobs.open(digest);
    if (!opened.found) throw new ManifestUnknownError(digest);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    } catch (error) {
      if (error instanceof BlobCorruptError) throw new ManifestCorruptError(digest, String((error.detail as { reason: string }).reason));
      throw error;
    }
    const bytes = Buffer.concat(chunks);
    const computed = digestOf(bytes, parseDigest(digest).algorithm);
    if (computed !== digest) {
      await this.ports.blobs.quarantine(digest);
      throw new ManifestCorruptError(digest, `the bytes hash to ${computed}`);
    }
    this.cache.set(digest, bytes);
    return bytes;
  }

  /** Pulls refresh lastRecordedPullTime at most once per interval per image (ECR records it daily). */
  private pullRecordDue(repo: RepoRef, digest: Digest): boolean {
    const last = this.pullsRecorded.last(repo, digest);
    return last === undefined || this.clock.now().getTime() - last >= this.limits.pullRecordIntervalMs;
  }

  /** Records the pull of `digest` in `repo` (pullRecordDue said it is due). */
  private async recordPull(repo: RepoRef, digest: Digest, pulledBy: string | undefined): Promise<void> {
    const now = this.clock.now();
    // Best effort: recording the pull is a write, and a write that fails must not fail the read.
    try {
      // An excluded pull neither records nor counts as recorded: the next pull by anyone else records.
      if (pulledBy !== undefined && (await this.pullExclusions.excludes(repo.registry, pulledBy))) return;
      this.pullsRecorded.set(repo, digest, now.getTime());
      await this.ports.manifests.recordPull(repo, digest, now);
      this.failingPullRecords = false;
    } catch (error) {
      this.pullsRecorded.delete(repo, digest);
      this.pullRecordFailures++;
      if (!this.failingPullRecords) this.onPullRecordFailure(error);
      this.failingPullRecords = true;
    }
  }
}

function pullReference(reference: string): ReturnType<typeof parseReference> {
  try {
    return parseReference(reference);
  } catch (error) {
    throw error instanceof TagInvalidError ? new ManifestUnknownError(reference, 'no manifest has this ill-formed tag') : error;
  }
}
