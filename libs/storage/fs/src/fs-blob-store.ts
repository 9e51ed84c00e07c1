import { randomUUID } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { isDigest, parseDigest, type Digest } from '@cargohold/oci';
import type { BeforePublish, BlobInventory, BlobStore, ByteRange, Found, StoredBlob } from '@cargohold/storage-ports';
import { ensureDir, fsyncDir, isNotFound, type FsLayout } from './fs-layout';
import { CHUNK, writeDurably } from './durable-write';
import { directorySync, type DirectorySyncs } from './directory-syncs';

/** Content-addressed blobs as files under `<root>/blobs` (layout in fs-layout.ts). */
export class FsBlobStore implements BlobStore, BlobInventory {
  private readonly syncDir: (dir: string) => Promise<void>;

  /** `syncs`: directory fsyncs on kept descriptors (shared with the uploads); each opens its directory without. */
  constructor(
    private readonly layout: FsLayout,
    syncs?: DirectorySyncs,
  ) {
    this.syncDir = directorySync(syncs);
  }

  async stat(digest: Digest): Promise<Found<{ size: number }>> {
    const { algorithm, hex } = parseDigest(digest);
    try {
      return { found: true, size: (await stat(this.layout.blobPath(algorithm, hex))).size };
    } catch (error) {
      if (isNotFound(error)) return { found: false };
      throw error;
    }
  }

  /** Opens the file first and streams from that handle, so a concurrent delete cannot cut a read short. */
  async open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>> {
    const { algorithm, hex } = parseDigest(digest);
    let handle;
    try {
      handle = await open(this.layout.blobPath(algorithm, hex), 'r');
    } catch (error) {
      if (isNotFound(error)) return { found: false };
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const window = range ? { start: range.start, end: range.end } : {};
      return { found: true, size, body: handle.createReadStream({ ...window, highWaterMark: CHUNK }) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Writes to tmp/ and fsyncs, lets `verify` decide, then renames into blobs/ and fsyncs the directory. */
  async put(digest: Digest, body: AsyncIterable<Uint8Array>, verify: BeforePublish): Promise<{ size: number }> {
    const { algorithm, hex } = parseDigest(digest);
    const target = this.layout.blobPath(algorithm, hex);
    const tmp = this.layout.tmpPath(randomUUID());
    try {
      const { received } = await writeDurably(tmp, 'wx', 0, body);
      await verify();
      await ensureDir(dirname(target), this.syncDir);
      await rename(tmp, target);
      await this.syncDir(dirname(target));
      return { size: received };
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  async delete(digest: Digest): Promise<void> {
    const { algorithm, hex } = parseDigest(digest);
    const path = this.layout.blobPath(algorithm, hex);
    try {
      await unlink(path);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await this.syncDir(dirname(path));
  }

  /**
   * Every digest with bytes under blobs/, for a whole-store scrub (not part of the port: only the
   * embedded store's own tools walk it). Files whose path is not a digest's are skipped.
   */
  async *list(): AsyncIterable<Digest> {
    for (const algorithm of await entries(this.layout.blobsDir)) {
      for (const prefix of await entries(join(this.layout.blobsDir, algorithm))) {
        for (const hex of await entries(join(this.layout.blobsDir, algorithm, prefix))) {
          const digest = `${algorithm}:${hex}`;
          if (hex.startsWith(prefix) && isDigest(digest)) yield digest;
        }
      }
    }
  }

  /** Every blob with its size and mtime (set by the rename that published it); one gone meanwhile is skipped. */
  async *stored(): AsyncIterable<StoredBlob> {
    for await (const digest of this.list()) {
      const { algorithm, hex } = parseDigest(digest);
      try {
        const { size, mtime } = await stat(this.layout.blobPath(algorithm, hex));
        yield { digest, size, modifiedAt: mtime };
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** A rename into corrupt/ (the same filesystem), replacing an older quarantined copy of the digest. */
  async quarantine(digest: Digest): Promise<void> {
    const { algorithm, hex } = parseDigest(digest);
    const path = this.layout.blobPath(algorithm, hex);
    const target = this.layout.corruptPath(algorithm, hex);
    await ensureDir(dirname(target));
    try {
      await rename(path, target);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await fsyncDir(dirname(path));
    await fsyncDir(dirname(target));
  }
}

/** A directory's entries in byte order; none when it is missing or is a file (a stray in the tree). */
async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}
