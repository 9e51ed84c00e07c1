import { parseDigest, type Digest } from '@cargohold/oci';
import type { ByteRange } from '@cargohold/storage-ports';
import { isConditionFailed } from './s3-errors';
import type { S3Layout } from './s3-layout';
import type { ObjectHead, OpenedObject, S3Objects } from './s3-objects';

/** User metadata (`x-amz-meta-…`) that makes an object a pointer: the data it stands for, and its size. */
const TARGET = 'cargohold-target';
const SIZE = 'cargohold-size';

/**
 * What one key of blobs/ (or corrupt/) holds: the bytes themselves, or a pointer to a data object.
 * A pointer's `target` is undefined when its name is not one S3Layout.dataKey gives out: it leads nowhere.
 */
export type BlobEntry =
  | { readonly kind: 'object'; readonly key: string; readonly size: number }
  | { readonly kind: 'pointer'; readonly key: string; readonly target: string | undefined; readonly size: number };

/**
 * The published blobs, `blobs/<alg>/<hex>` (layout in s3-layout.ts), and the one place that knows both of
 * their forms: a plain object holding the bytes (written by `put`, by small commits and by older
 * versions), or an empty pointer object whose metadata names the data object a commit completed in
 * place. Reads follow a pointer; a pointer whose data is gone reads as no blob at all.
 */
export class S3BlobIndex {
  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
  ) {}

  keyOf(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return this.layout.blobKey(algorithm, hex);
  }

  corruptKeyOf(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return this.layout.corruptKey(algorithm, hex);
  }

  /** What `key` holds, without following a pointer; undefined when nothing is there. */
  async entry(key: string): Promise<BlobEntry | undefined> {
    const head = await this.objects.head(key);
    return head && this.entryOf(key, head);
  }

  /** Where the bytes of `digest` are, and how many: undefined when it is not published or its pointer leads to nothing. */
  async locate(digest: Digest): Promise<{ key: string; size: number } | undefined> {
    const entry = await this.entry(this.keyOf(digest));
    if (entry?.kind !== 'pointer') return entry;
    if (entry.target === undefined) return undefined;
    const size = await this.objects.size(entry.target);
    return size === undefined ? undefined : { key: entry.target, size };
  }

  /** Streams the bytes of `digest`, or the inclusive `range` of them, following a pointer. */
  async open(digest: Digest, range?: ByteRange): Promise<OpenedObject | undefined> {
    const key = this.keyOf(digest);
    if (range) {
      // A pointer has no bytes to take a range of (S3 would refuse it), so a range first learns where the bytes are.
      const entry = await this.entry(key);
      const source = entry?.kind === 'pointer' ? entry.target : entry?.key;
      return source === undefined ? undefined : this.objects.open(source, range);
    }
    const opened = await this.objects.open(key);
    if (!opened) return undefined;
    const entry = this.entryOf(key, opened);
    if (entry.kind === 'object') return opened;
    opened.body.destroy();
    return entry.target === undefined ? undefined : this.objects.open(entry.target);
  }

  /**
   * Publishes the data object `target` (completed and verified, `size` bytes) under `digest` by writing
   * its pointer. Create-only where the endpoint honours If-None-Match: a blob published meanwhile by
   * another writer stays (the caller's session then frees `target`, which nothing points at); a pointer
   * that leads nowhere is replaced.
   */
  async point(digest: Digest, target: string, size: number): Promise<void> {
    const key = this.keyOf(digest);
    try {
      await this.writePointer(key, target, size, true);
      return;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    if (await this.locate(digest)) return;
    await this.writePointer(key, target, size, false);
  }

  /** Writes a pointer at `key` (under blobs/ or corrupt/) to the data object `target`. */
  async writePointer(key: string, target: string, size: number, createOnly = false): Promise<void> {
    const metadata = { [TARGET]: this.layout.targetName(target), [SIZE]: String(size) };
    await this.objects.put(key, Buffer.alloc(0), createOnly ? { ifNoneMatch: '*' } : {}, metadata);
  }

  /**
   * `keys` without the data object that the pointer of `published` stands for: what a session may still
   * delete after its commit wrote that pointer (the commit may have died before the session ended).
   */
  async unpublished(published: Digest | undefined, keys: readonly string[]): Promise<string[]> {
    if (published === undefined || keys.length === 0) return [...keys];
    const entry = await this.entry(this.keyOf(published));
    const target = entry?.kind === 'pointer' ? entry.target : undefined;
    return keys.filter((key) => key !== target);
  }

  private entryOf(key: string, head: ObjectHead): BlobEntry {
    const name = head.metadata[TARGET];
    if (name === undefined) return { kind: 'object', key, size: head.size };
    return { kind: 'pointer', key, target: this.layout.targetKey(name), size: Number(head.metadata[SIZE]) };
  }
}
