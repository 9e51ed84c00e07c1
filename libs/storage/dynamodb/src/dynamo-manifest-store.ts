import { ManifestClosureError, ManifestReferencedError, SizeLimitError, summaryOf, TagConflictError } from '@cargohold/storage-ports';
import type {
  Digest,
  ManifestDeleteOptions,
  ManifestPutOptions,
  ManifestRecord,
  ManifestStore,
  Page,
  RepoRef,
  StorageClass,
  TaggedManifest,
} from '@cargohold/storage-ports';
import type { RegistryEvent } from '@cargohold/events';
import { TransactionLimitError, UpdateContentionError } from './errors';
import { nativeItemSize } from './item-size';
import { deleteTransaction, manifestKey, putTransaction, type Role, tagKey } from './manifest-transactions';
import { type Item, pause, type Table, TRANSACT_LIMIT, type Transacted } from './table';
import { INDEX, keys, MAX_ITEM_BYTES, PREFIX } from './table-design';

/*
 * Manifests and tags in TransactWriteItems, so that every invariant of DESIGN.md holds under any
 * concurrency ("every tag resolves to a manifest whose whole closure exists"):
 *
 * put(record, tags) reads the manifest item and each named tag (strongly consistent), then commits one
 * transaction of
 *   - an Update `ADD listings :one` on each blob link of the record, `attribute_exists(PK)` (a blob
 *     unlinked concurrently cancels the put: ManifestClosureError(blob); an unlink that looked for
 *     manifests listing the blob before this commit is cancelled by the bump, see dynamo-blob-link-store.ts);
 *   - an Update `ADD parents :digest` on each child, `attribute_exists(PK)` (a child deleted concurrently
 *     cancels it: ManifestClosureError(child)); `parents` is what a child's delete checks;
 *   - the manifest: a Put `attribute_not_exists(PK)` when it was absent (an existing record keeps its
 *     pushedAt), else an Update `ADD tagVersion` when a tag moves onto it, else a ConditionCheck that it
 *     still exists;
 *   - each tag: an Update conditioned on the digest read (`attribute_not_exists(PK)` or `digest = :seen`),
 *     so `previous` is exact; an immutable tag (options.immutableTags) on `attribute_not_exists(PK) OR
 *     digest = :d` instead (TagConflictError when another digest holds it); a tag already at the digest
 *     is a ConditionCheck, not a write (no stream record).
 *   A cancelled condition other than a closure or immutability failure means a concurrent writer changed
 *   what was read: the put reads again and retries (UpdateContentionError after ATTEMPTS).
 *
 * delete(digest) reads the manifest (its `parents` refuse the delete: ManifestReferencedError) and its
 * tags (LSI1, strongly consistent), then commits one transaction of
 *   - a Delete of the manifest on `attribute_not_exists(parents)` and an unchanged `tagVersion`: an index
 *     pushed, or a tag moved onto the digest, since the read cancels it (then it reads again);
 *   - a Delete of each tag on `digest = :d` (a tag moved away meanwhile survives: read again);
 *   - an Update `DELETE parents :d` on each child.
 *
 * Limits: one transaction holds at most 100 items and 4 MB. Items are small (the manifest item is at most
 * MAX_ITEM_BYTES, the others a few hundred bytes), so 4 MB is never reached; 100 is. The plan:
 *   - blob links past the limit (an image with ~100 layers) are read (BatchGetItem) instead of checked
 *     inside the transaction, and their `listings` is not bumped; the manifest item lists them once
 *     written, which BlobLinkStore.unlink refuses to unlink, so only an unlink between that read and the
 *     commit can slip through. Closing it too: bump `listings` in chunked transactions of 100 before the
 *     final one, and have the final one condition on the manifest item not having been written by someone
 *     else meanwhile (each chunk cancels a racing unlink; a link unlinked after its chunk but before the
 *     final commit is the remaining gap, which a `pinnedBy` set on link items, maintained like `parents`,
 *     would close).
 *   - children and tags must fit with the manifest (an index of ~100 platforms): beyond that the put
 *     throws TransactionLimitError before writing anything.
 *   - a delete whose tags and children exceed the limit removes the tags first, each conditioned on
 *     still pointing at the digest (an image untagged early, which invariant 3 allows), then commits the
 *     rest; children past the limit are released after the manifest is gone.
 * The stream (NEW_AND_OLD_IMAGES) carries every item change of a committed transaction; a cancelled one
 * writes nothing and so emits nothing.
 */

/** Transactions tried before a put or delete gives up on concurrent writers (UpdateContentionError). */
const ATTEMPTS = 8;

/** The manifest item exactly as the store writes it (exported for the item-size spec). */
export function manifestItem(repo: RepoRef, record: ManifestRecord, pushedTags: readonly string[] = []): Item {
  return {
    ...manifestKey(repo, record.digest),
    ...(record.subject !== undefined && { LSI1SK: keys.referrer(record.subject, record.digest) }),
    digest: record.digest,
    mediaType: record.mediaType,
    size: record.size,
    artifactType: record.artifactType,
    subject: record.subject,
    // JSON text: annotation keys are arbitrary user strings (an empty one is not a valid map key).
    annotations: record.annotations === undefined ? undefined : JSON.stringify(record.annotations),
    blobs: [...record.blobs],
    children: [...record.children],
    configMediaType: record.configMediaType,
    imageSizeBytes: record.imageSizeBytes,
    pushedAt: record.pushedAt.getTime(),
    lastPulledAt: record.lastPulledAt?.getTime(),
    storageClass: record.storageClass,
    lastArchivedAt: record.lastArchivedAt?.getTime(),
    lastActivatedAt: record.lastActivatedAt?.getTime(),
    // The tags the creating push named: the stream forwarder emits one push event per tag item, and an
    // untagged push event only for a manifest created without tags (so a tagged push is not doubled).
    ...(pushedTags.length > 0 && { pushedTags: [...pushedTags] }),
  };
}

function toRecord(item: Item): ManifestRecord {
  const optional = (name: string) => (item[name] === undefined ? {} : { [name]: item[name] as string });
  return {
    digest: item['digest'] as Digest,
    mediaType: item['mediaType'] as string,
    size: item['size'] as number,
    ...optional('artifactType'),
    ...optional('subject'),
    ...(item['annotations'] !== undefined && { annotations: JSON.parse(item['annotations'] as string) as Record<string, string> }),
    blobs: item['blobs'] as Digest[],
    children: item['children'] as Digest[],
    ...optional('configMediaType'),
    imageSizeBytes: item['imageSizeBytes'] as number,
    pushedAt: new Date(item['pushedAt'] as number),
    ...(item['lastPulledAt'] !== undefined && { lastPulledAt: new Date(item['lastPulledAt'] as number) }),
    ...(item['storageClass'] !== undefined && { storageClass: item['storageClass'] as StorageClass }),
    ...(item['lastArchivedAt'] !== undefined && { lastArchivedAt: new Date(item['lastArchivedAt'] as number) }),
    ...(item['lastActivatedAt'] !== undefined && { lastActivatedAt: new Date(item['lastActivatedAt'] as number) }),
  };
}

const parentsOf = (item: Item): Digest[] =>
  [...((item['parents'] as Set<string> | undefined) ?? [])].filter((parent) => parent !== item['digest']).sort() as Digest[];

const childrenOf = (digest: Digest, children: readonly Digest[]): Digest[] => [...new Set(children)].filter((child) => child !== digest);

const failedRoles = (result: Transacted, roles: readonly Role[]): Role[] =>
  result.committed ? [] : result.failed.flatMap((position) => (roles[position] ? [roles[position]] : []));

export class DynamoManifestStore implements ManifestStore {
  constructor(private readonly table: Table) {}

  async put(
    repo: RepoRef,
    record: ManifestRecord,
    tags: readonly string[],
    _events?: unknown,
    options: ManifestPutOptions = {},
  ): Promise<{ previous: Record<string, Digest> }> {
    const digest = record.digest;
    const unique = [...new Set(tags)];
    const immutable = new Set<string>((options.immutableTags ?? []).filter((tag) => unique.includes(tag)));
    const item = manifestItem(repo, record, unique);
    if (nativeItemSize(item) > MAX_ITEM_BYTES) throw new SizeLimitError('manifest record', MAX_ITEM_BYTES);
    const blobs = [...new Set(record.blobs)];
    const children = childrenOf(digest, record.children);
    const needed = 1 + children.length + unique.length;
    if (needed > TRANSACT_LIMIT) throw new TransactionLimitError(`manifest ${digest}`, needed, TRANSACT_LIMIT);
    // Past the limit the links are read instead of checked in the transaction (see the design notes).
    const checked = needed + blobs.length <= TRANSACT_LIMIT ? blobs : [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(attempt);
      if (checked.length < blobs.length) await this.requireLinks(repo, blobs);
      const [existing, current] = await Promise.all([
        this.table.get(manifestKey(repo, digest)),
        Promise.all(unique.map(async (tag) => [tag, await this.resolveTag(repo, tag)] as const)),
      ]);
      for (const [tag, now] of current) if (immutable.has(tag) && now !== undefined && now !== digest) throw new TagConflictError(tag, now);
      const plan = putTransaction({ repo, item, digest, blobs: checked, children, existing: existing !== undefined, current: new Map(current), immutable });
      const result = await this.table.transact(plan.writes);
      if (result.committed) {
        const previous: Record<string, Digest> = {};
        for (const [tag, before] of current) if (before !== undefined && before !== digest) previous[tag] = before;
        return { previous };
      }
      await this.refusal(repo, digest, failedRoles(result, plan.roles));
    }
    throw new UpdateContentionError(`manifest ${digest}`, ATTEMPTS);
  }

  async get(repo: RepoRef, digest: Digest): Promise<ManifestRecord | undefined> {
    const item = await this.table.get(manifestKey(repo, digest));
    return item && toRecord(item);
  }

  async list(repo: RepoRef, page: Page): Promise<ManifestRecord[]> {
    return (await this.pageOf(repo, PREFIX.manifest, page)).map(toRecord);
  }

  /**
   * The page's manifests (one Query), then the tags of all of them at once: a page is a contiguous range of
   * digests, so their TAGOF#<digest>#<tag> keys are one range of LSI1 (one Query per MB, not one per image).
   */
  async listWithTags(repo: RepoRef, page: Page): Promise<TaggedManifest[]> {
    const records = await this.list(repo, page);
    const first = records[0]?.digest;
    const last = records.at(-1)?.digest;
    if (first === undefined || last === undefined) return [];
    const items = await this.table.collect({
      index: INDEX.tagsAndReferrers,
      // '$' sorts right after '#': the upper bound takes every tag of the last digest and nothing after it.
      key: 'PK = :pk AND LSI1SK BETWEEN :from AND :to',
      values: { ':pk': keys.repository(repo), ':from': keys.tagOf(first), ':to': `${keys.tagOf(last).slice(0, -1)}$` },
      names: { '#digest': 'digest' },
      projection: 'SK, #digest',
    });
    const tags = new Map<string, string[]>();
    for (const item of items) {
      const tag = (item['SK'] as string).slice(PREFIX.tag.length);
      const digest = item['digest'] as string;
      tags.set(digest, [...(tags.get(digest) ?? []), tag]);
    }
    return records.map((record) => ({ record: summaryOf(record), tags: tags.get(record.digest) ?? [] }));
  }

  async resolveTag(repo: RepoRef, tag: string): Promise<Digest | undefined> {
    return (await this.table.get(tagKey(repo, tag)))?.['digest'] as Digest | undefined;
  }

  async listTags(repo: RepoRef, page: Page): Promise<string[]> {
    return (await this.pageOf(repo, PREFIX.tag, page, 'SK')).map((item) => (item['SK'] as string).slice(PREFIX.tag.length));
  }

  async tagsOf(repo: RepoRef, digest: Digest): Promise<string[]> {
    return (await this.tagsAndReferrers(repo, keys.tagOf(digest), 'SK')).map((item) => (item['SK'] as string).slice(PREFIX.tag.length));
  }

  async deleteTag(repo: RepoRef, tag: string): Promise<boolean> {
    return (await this.table.delete(tagKey(repo, tag))).old !== undefined;
  }

  /**
   * The table stream is the event source: `events` only says why (a lifecycle expiry stamps `deleteReason`
   * on the items just before deleting them, so the stream's REMOVEs become ECR's EXPIRE events).
   */
  async delete(repo: RepoRef, digest: Digest, events: readonly RegistryEvent[] = [], options: ManifestDeleteOptions = {}): Promise<boolean> {
    const expiry = events.some((event) => event.type === 'image.deleted' && event.reason === 'lifecycle');
    const gone = new Set<Digest>();
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(attempt);
      const item = await this.table.get(manifestKey(repo, digest));
      if (!item) return false;
      const parents = parentsOf(item);
      if (parents.length > 0) throw new ManifestReferencedError(digest, parents);
      let tags = await this.tagsOf(repo, digest);
      // The transaction below is conditioned on the manifest's tagVersion: tags that move after this read fail it, and the retry reads them again.
      if (options.expectedTags && (tags.length !== options.expectedTags.length || tags.some((tag, i) => tag !== options.expectedTags?.[i]))) return false;
      let children = childrenOf(digest, item['children'] as Digest[]).filter((child) => !gone.has(child));
      let later: Digest[] = [];
      if (1 + tags.length + children.length > TRANSACT_LIMIT) {
        // Too many for one transaction: untag first (each tag only if still here), release children last.
        await Promise.all(
          tags.map((tag) =>
            this.table.delete(tagKey(repo, tag), { condition: '#digest = :digest', names: { '#digest': 'digest' }, values: { ':digest': digest } }),
          ),
        );
        tags = [];
        later = children.slice(TRANSACT_LIMIT - 1);
        children = children.slice(0, TRANSACT_LIMIT - 1);
      }
      if (expiry) await this.stampExpiry(repo, digest, tags);
      const tagVersion = item['tagVersion'] as number | undefined;
      const plan = deleteTransaction({ repo, digest, tagVersion, tags, children });
      const result = await this.table.transact(plan.writes);
      if (result.committed) {
        await Promise.all(later.map((child) => this.parent(repo, child, 'DELETE', digest)));
        return true;
      }
      // A child that is no longer there (a state only a crash could leave) is not waited for.
      for (const role of failedRoles(result, plan.roles)) {
        if (role.kind === 'child' && !(await this.table.get(manifestKey(repo, role.child)))) gone.add(role.child);
      }
    }
    throw new UpdateContentionError(`manifest ${digest}`, ATTEMPTS);
  }

  async referrers(repo: RepoRef, subject: Digest): Promise<ManifestRecord[]> {
    return (await this.tagsAndReferrers(repo, keys.referrer(subject))).map(toRecord);
  }

  async recordPull(repo: RepoRef, digest: Digest, at: Date): Promise<void> {
    await this.table.update(manifestKey(repo, digest), {
      update: 'SET #lastPulledAt = :at',
      condition: 'attribute_exists(PK) AND (attribute_not_exists(#lastPulledAt) OR #lastPulledAt < :at)',
      names: { '#lastPulledAt': 'lastPulledAt' },
      values: { ':at': at.getTime() },
    });
  }

  async setStorageClass(repo: RepoRef, digest: Digest, storageClass: StorageClass, at: Date): Promise<ManifestRecord | undefined> {
    const stamp = storageClass === 'ARCHIVE' ? 'lastArchivedAt' : 'lastActivatedAt';
    // Only a change of class stamps a time (an absent class is STANDARD); a missing manifest is not created.
    await this.table.update(manifestKey(repo, digest), {
      update: 'SET #class = :class, #stamp = :at',
      condition:
        storageClass === 'ARCHIVE'
          ? 'attribute_exists(PK) AND (attribute_not_exists(#class) OR #class <> :class)'
          : 'attribute_exists(PK) AND #class <> :class',
      names: { '#class': 'storageClass', '#stamp': stamp },
      values: { ':class': storageClass, ':at': at.getTime() },
    });
    const item = await this.table.get(manifestKey(repo, digest));
    return item && toRecord(item);
  }

  /** Marks the manifest and those of its tags still on it as expiring; a MODIFY that changes no digest emits no event. */
  private async stampExpiry(repo: RepoRef, digest: Digest, tags: readonly string[]): Promise<void> {
    const stamp = { update: 'SET #reason = :reason', names: { '#reason': 'deleteReason' }, values: { ':reason': 'lifecycle' } };
    await this.table.update(manifestKey(repo, digest), { ...stamp, condition: 'attribute_exists(PK)' });
    await Promise.all(
      tags.map((tag) =>
        this.table.update(tagKey(repo, tag), {
          update: stamp.update,
          condition: '#digest = :digest',
          names: { ...stamp.names, '#digest': 'digest' },
          values: { ...stamp.values, ':digest': digest },
        }),
      ),
    );
  }

  /** Every blob must be linked in the repository (strongly consistent reads): puts with more links than a transaction holds. */
  private async requireLinks(repo: RepoRef, blobs: readonly Digest[]): Promise<void> {
    const wanted = [...new Set(blobs)];
    if (wanted.length === 0) return;
    const found = await this.table.getAll(
      wanted.map((blob) => ({ PK: keys.repository(repo), SK: keys.linkSk(blob) })),
      { expression: 'SK' },
    );
    const linked = new Set(found.map((link) => link['SK'] as string));
    const missing = wanted.find((blob) => !linked.has(keys.linkSk(blob)));
    if (missing !== undefined) throw new ManifestClosureError(missing, 'blob');
  }

  /** Adds or removes `parent` in a child manifest's `parents` set; false when the child is absent from the repository. */
  private async parent(repo: RepoRef, child: Digest, action: 'ADD' | 'DELETE', parent: Digest): Promise<boolean> {
    const { applied } = await this.table.update(manifestKey(repo, child), {
      update: `${action} #parents :parent`,
      condition: 'attribute_exists(PK)',
      names: { '#parents': 'parents' },
      values: { ':parent': new Set([parent]) },
    });
    return applied;
  }

  /**
   * Why a put's transaction was cancelled, as the domain answers it: a missing link or child is a closure
   * error, an immutable tag held by another digest a conflict; anything else was a concurrent change of
   * what the put read, and it tries again.
   */
  private async refusal(repo: RepoRef, digest: Digest, failed: readonly Role[]): Promise<void> {
    for (const role of failed) if (role.kind === 'link') throw new ManifestClosureError(role.blob, 'blob');
    for (const role of failed) if (role.kind === 'child') throw new ManifestClosureError(role.child, 'manifest');
    for (const role of failed) {
      if (role.kind !== 'tag' || !role.immutable) continue;
      const now = await this.resolveTag(repo, role.tag);
      if (now !== undefined && now !== digest) throw new TagConflictError(role.tag, now);
    }
  }

  private pageOf(repo: RepoRef, prefix: string, page: Page, projection?: string): Promise<Item[]> {
    const pk = keys.repository(repo);
    const spec = {
      key: 'PK = :pk AND begins_with(SK, :prefix)',
      values: { ':pk': pk, ':prefix': prefix },
      startAfter: page.last === undefined ? undefined : { PK: pk, SK: `${prefix}${page.last}` },
      projection,
    };
    return this.table.collect(spec, page.limit);
  }

  /** Strongly consistent Query of LSI1 (tags of a digest, referrers of a subject). */
  private tagsAndReferrers(repo: RepoRef, prefix: string, projection?: string): Promise<Item[]> {
    return this.table.collect({
      index: INDEX.tagsAndReferrers,
      key: 'PK = :pk AND begins_with(LSI1SK, :prefix)',
      values: { ':pk': keys.repository(repo), ':prefix': prefix },
      projection,
    });
  }
}
