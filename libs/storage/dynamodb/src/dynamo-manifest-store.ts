import { ManifestClosureError, ManifestReferencedError, SizeLimitError, TagConflictError } from '@cargohold/storage-ports';
import type { Digest, ManifestPutOptions, ManifestRecord, ManifestStore, Page, RepoRef } from '@cargohold/storage-ports';
import { nativeItemSize } from './item-size';
import type { Item, Key, Table } from './table';
import { INDEX, keys, MAX_ITEM_BYTES, PREFIX } from './table-design';

/*
 * Manifests and tags without transactions (dynalite has no TransactWriteItems), as single-item conditional
 * writes ordered so that every intermediate state is one a reader may safely see:
 *
 * put(record, tags)
 *   0. every blob of the record must be linked in the repository: one strongly consistent GetItem per link
 *      (BatchGetItem), else ManifestClosureError before anything is written.
 *   1. each child manifest of the repository gets the record's digest ADDed to its `parents` set
 *      (conditioned on the child existing: no stub items). Before the record exists, so a child is
 *      protected from deletion before anything can resolve to the index. A child that is not there makes
 *      the condition fail: the ADDs that did apply are taken back (unless the record already exists) and
 *      put throws ManifestClosureError, having written no record and moved no tag.
 *   2. the manifest item, `attribute_not_exists(PK)`: idempotent, an existing record keeps its pushedAt.
 *   3. each tag item, one conditional UpdateItem (`digest <> :new`) returning the old image: a tag is at its
 *      old or its new digest, never missing (invariant 3), and `previous` comes from the old image.
 *      Immutable tags (options.immutableTags) go first, each conditioned on `attribute_not_exists(digest)`:
 *      of concurrent puts exactly one creates the tag; a loser throws TagConflictError before moving any
 *      tag, its manifest item staying recorded untagged (as an ECR image whose PutImage lost may).
 *   A crash after 1 leaves a child with a phantom parent: deleting that child is refused (a loud,
 *   recoverable state: pushing the index again and deleting it clears it) rather than silently allowed.
 *   Children are race-free this way (a delete of the child after 1 is refused), blobs are not: a link
 *   item carries no back-reference, so a blob unlinked between 0 and 2 leaves the record listing a blob
 *   its repository no longer links. BlobLinkStore.unlink narrows this from its side (it refuses while a
 *   manifest item lists the blob, which only helps once 2 has landed); closing it needs either a
 *   transaction (ConditionCheck on each link item alongside the Put) or a `referencedBy` set on link items
 *   maintained like `parents`. The rollback in 1 is likewise not atomic: a concurrent put of the same
 *   digest that succeeds between our failed ADD and the rollback may lose a `parents` entry.
 *
 * delete(digest)
 *   1. read the manifest; its `parents` set names the indexes still referencing it: refuse.
 *   2. delete its tags (each conditioned on still pointing at this digest, so a concurrent move survives).
 *   3. delete the manifest conditioned on `attribute_not_exists(parents)`. An index pushed since step 1
 *      makes this fail: the delete is refused and the manifest, with its closure, stays. This is the one
 *      race the design cannot fully hide without transactions: the tags removed in step 2 are gone then
 *      (the image survives untagged, which invariant 3 allows). A tag moved onto the digest between 2 and
 *      3 is left pointing at a deleted manifest.
 *   4. remove the digest from its children's `parents` sets.
 * On AWS, TransactWriteItems closes these windows: delete = {Delete manifest if no parents, Delete each tag
 * if digest = :d, Update each child DELETE parents}; put = {ConditionCheck each link exists, Update
 * children ADD parents, Put manifest, Update tags}, up to 100 items. The stream (NEW_AND_OLD_IMAGES) then also lets a consumer sweep phantom
 * parents (a parent set entry whose index item never appeared) after a grace period.
 */

const NAMES = { '#digest': 'digest', '#parents': 'parents', '#version': 'version' };

const manifestKey = (repo: RepoRef, digest: Digest): Key => ({ PK: keys.repository(repo), SK: keys.manifestSk(digest) });
const tagKey = (repo: RepoRef, tag: string): Key => ({ PK: keys.repository(repo), SK: keys.tagSk(tag) });

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
  };
}

const parentsOf = (item: Item): Digest[] =>
  [...((item['parents'] as Set<string> | undefined) ?? [])].filter((parent) => parent !== item['digest']).sort() as Digest[];

const childrenOf = (digest: Digest, children: readonly Digest[]): Digest[] => [...new Set(children)].filter((child) => child !== digest);

export class DynamoManifestStore implements ManifestStore {
  constructor(private readonly table: Table) {}

  async put(
    repo: RepoRef,
    record: ManifestRecord,
    tags: readonly string[],
    _events?: unknown,
    options: ManifestPutOptions = {},
  ): Promise<{ previous: Record<string, Digest> }> {
    const unique = [...new Set(tags)];
    const immutable = new Set(options.immutableTags ?? []);
    const item = manifestItem(repo, record, unique);
    if (nativeItemSize(item) > MAX_ITEM_BYTES) throw new SizeLimitError('manifest record', MAX_ITEM_BYTES);
    await this.requireLinks(repo, record.blobs);
    await this.addToChildren(repo, record.digest, childrenOf(record.digest, record.children));
    await this.table.put(item, { condition: 'attribute_not_exists(PK)' });
    for (const tag of unique.filter((tag) => immutable.has(tag))) await this.claimTag(repo, tag, record.digest);
    const mutable = unique.filter((tag) => !immutable.has(tag));
    const moved = await Promise.all(mutable.map(async (tag) => [tag, await this.moveTag(repo, tag, record.digest)] as const));
    const previous: Record<string, Digest> = {};
    for (const [tag, before] of moved) if (before !== undefined) previous[tag] = before;
    return { previous };
  }

  async get(repo: RepoRef, digest: Digest): Promise<ManifestRecord | undefined> {
    const item = await this.table.get(manifestKey(repo, digest));
    return item && toRecord(item);
  }

  async list(repo: RepoRef, page: Page): Promise<ManifestRecord[]> {
    return (await this.pageOf(repo, PREFIX.manifest, page)).map(toRecord);
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

  async delete(repo: RepoRef, digest: Digest): Promise<boolean> {
    const key = manifestKey(repo, digest);
    const item = await this.table.get(key);
    if (!item) return false;
    const parents = parentsOf(item);
    if (parents.length > 0) throw new ManifestReferencedError(digest, parents);

    for (const tag of await this.tagsOf(repo, digest)) {
      await this.table.delete(tagKey(repo, tag), { condition: '#digest = :digest', names: { '#digest': 'digest' }, values: { ':digest': digest } });
    }
    const { applied, old } = await this.table.delete(key, { condition: 'attribute_not_exists(#parents)', names: { '#parents': 'parents' } });
    if (!applied) {
      const now = await this.table.get(key);
      if (now) throw new ManifestReferencedError(digest, parentsOf(now));
      return false;
    }
    if (!old) return false;
    await Promise.all(childrenOf(digest, old['children'] as Digest[]).map((child) => this.parent(repo, child, 'DELETE', digest)));
    return true;
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

  /** One conditional write on the tag item; answers the digest it pointed at before, if it moved. */
  private async moveTag(repo: RepoRef, tag: string, digest: Digest): Promise<Digest | undefined> {
    const { applied, old } = await this.table.update(tagKey(repo, tag), {
      update: 'SET #digest = :digest, #tag = :tag, LSI1SK = :tagOf ADD #version :one',
      condition: 'attribute_not_exists(#digest) OR #digest <> :digest',
      names: { '#digest': NAMES['#digest'], '#version': NAMES['#version'], '#tag': 'tag' },
      values: { ':digest': digest, ':tag': tag, ':tagOf': keys.tagOf(digest, tag), ':one': 1 },
    });
    return applied ? (old?.['digest'] as Digest | undefined) : undefined;
  }

  /** Creates an immutable tag, or finds it already at `digest`; any other digest there is a conflict. */
  private async claimTag(repo: RepoRef, tag: string, digest: Digest): Promise<void> {
    for (;;) {
      const { applied } = await this.table.update(tagKey(repo, tag), {
        update: 'SET #digest = :digest, #tag = :tag, LSI1SK = :tagOf ADD #version :one',
        condition: 'attribute_not_exists(#digest)',
        names: { '#digest': NAMES['#digest'], '#version': NAMES['#version'], '#tag': 'tag' },
        values: { ':digest': digest, ':tag': tag, ':tagOf': keys.tagOf(digest, tag), ':one': 1 },
      });
      if (applied) return;
      const current = (await this.table.get(tagKey(repo, tag)))?.['digest'] as Digest | undefined;
      if (current === digest) return;
      // Deleted since the condition failed: try to create it again.
      if (current !== undefined) throw new TagConflictError(tag, current);
    }
  }

  /** Step 0 of put: every blob must be linked in the repository (strongly consistent reads). */
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

  /** Step 1 of put: the parent goes into every child's `parents` set, or into none (ManifestClosureError). */
  private async addToChildren(repo: RepoRef, parent: Digest, children: readonly Digest[]): Promise<void> {
    const added = await Promise.all(children.map(async (child) => ({ child, applied: await this.parent(repo, child, 'ADD', parent) })));
    const missing = added.find((result) => !result.applied);
    if (!missing) return;
    // Take back the ADDs that applied, unless the record already exists (then they were there before).
    if (!(await this.table.get(manifestKey(repo, parent)))) {
      const applied = added.filter((result) => result.applied);
      await Promise.all(applied.map((result) => this.parent(repo, result.child, 'DELETE', parent)));
    }
    throw new ManifestClosureError(missing.child, 'manifest');
  }

  /** Adds or removes `parent` in a child manifest's `parents` set; false when the child is absent from the repository. */
  private async parent(repo: RepoRef, child: Digest, action: 'ADD' | 'DELETE', parent: Digest): Promise<boolean> {
    const { applied } = await this.table.update(manifestKey(repo, child), {
      update: `${action} #parents :parent`,
      condition: 'attribute_exists(PK)',
      names: { '#parents': NAMES['#parents'] },
      values: { ':parent': new Set([parent]) },
    });
    return applied;
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
