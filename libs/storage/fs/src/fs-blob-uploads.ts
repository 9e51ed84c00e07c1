import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isUploadId, parseDigest, type Digest } from '@cargohold/oci';
import { KeyedMutex, UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import type { BlobUploads, Found, HashState } from '@cargohold/storage-ports';
import { ensureDir, fsyncDir, isNotFound, type FsLayout } from './fs-layout';
import { CHUNK, writeDurably } from './durable-write';
import { StagedSizes } from './staged-sizes';

/** The algorithm whose states the core saves; another one is never asked for. */
const STATE_ALGORITHM = 'sha256';

export interface FsBlobUploadsOptions {
  /**
   * No other process appends to these uploads (the embedded server without an upload gateway), so staged
   * sizes are kept in memory instead of read back with a `stat` (StagedSizes).
   */
  readonly soleWriter?: boolean;
}

/**
 * Resumable uploads staged in `<root>/uploads/<id>/` (layout in fs-layout.ts). Appends and commits of
 * one id are serialized in this process. The hash state the core hands an append is written after the
 * bytes are durable, by rename, so a crash leaves either the new state or the previous one (which the
 * core catches up from the bytes).
 */
export class FsBlobUploads implements BlobUploads {
  private readonly locks = new KeyedMutex();
  /**
   * Uploads this process created that hold no hash state yet, so a status need not list `hashstates/`
   * (the adapter owns its root: no other process saves states into it). After a restart the set is
   * empty and every status lists the directory, as before.
   */
  private readonly stateless = new Set<string>();
  /** `blobs/<alg>/<xx>` directories known to exist (durably): nothing removes them once made. */
  private readonly prefixes = new Set<string>();

  /** Staged sizes known in this process; none unless it is the sole writer. */
  private readonly sizes: StagedSizes | undefined;

  constructor(
    private readonly layout: FsLayout,
    options: FsBlobUploadsOptions = {},
  ) {
    this.sizes = options.soleWriter ? new StagedSizes() : undefined;
  }

  async create(id: string): Promise<void> {
    const valid = validId(id);
    await this.locks.run(valid, async () => {
      const created = await mkdir(this.layout.uploadDir(valid), { recursive: true });
      await (await open(this.layout.uploadData(valid), 'a')).close();
      // Both entries must be durable before the session is; neither order matters, so one wait covers both.
      await Promise.all([fsyncDir(this.layout.uploadDir(valid)), created === undefined ? undefined : fsyncDir(this.layout.uploadsDir)]);
      if (created === undefined) return;
      this.stateless.add(valid);
      this.sizes?.set(valid, 0);
    });
  }

  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, hashState?: () => HashState): Promise<{ size: number }> {
    const valid = validId(id);
    return this.locks.run(valid, async () => {
      const path = this.layout.uploadData(valid);
      const current = await this.stagedSize(valid);
      if (offset !== current) throw new UploadOffsetMismatchError(offset, current);
      let size: number;
      try {
        size = offset + (await writeDurably(path, 'r+', offset, body)).received;
      } catch (error) {
        this.sizes?.forget(valid);
        // Gone since its size was remembered (an idle upload expired by `cargohold gc`).
        if (isNotFound(error)) throw new UploadUnknownError(valid);
        await truncate(path, offset);
        await syncFile(path);
        this.sizes?.set(valid, offset);
        throw error;
      }
      this.sizes?.set(valid, size);
      if (hashState) {
        this.stateless.delete(valid);
        await this.saveState(valid, hashState());
      }
      return { size };
    });
  }

  async status(id: string): Promise<Found<{ size: number; hashState?: HashState }>> {
    if (!isUploadId(id)) return { found: false };
    // After the append in flight, if any: one that fails truncates its partial bytes under the lock, and a
    // status read before that would report bytes nobody acknowledged (the next PATCH at the real offset got 416).
    return this.locks.run(id, () => this.statusNow(id));
  }

  private async statusNow(id: string): Promise<Found<{ size: number; hashState?: HashState }>> {
    let size: number;
    try {
      size = await this.stagedSize(id);
    } catch (error) {
      if (error instanceof UploadUnknownError) return { found: false };
      throw error;
    }
    const hashState = this.stateless.has(id) ? undefined : await this.latestState(id, size);
    return hashState ? { found: true, size, hashState } : { found: true, size };
  }

  async *read(id: string, start: number): AsyncIterable<Uint8Array> {
    const valid = validId(id);
    let handle;
    try {
      handle = await open(this.layout.uploadData(valid), 'r');
    } catch (error) {
      if (isNotFound(error)) throw new UploadUnknownError(valid);
      throw error;
    }
    yield* handle.createReadStream({ start, highWaterMark: CHUNK }) as AsyncIterable<Buffer>;
  }

  /** Renames the verified bytes into blobs/: no copy, and atomic. */
  async commit(id: string, digest: Digest, size: number): Promise<void> {
    const valid = validId(id);
    const { algorithm, hex } = parseDigest(digest);
    await this.locks.run(valid, async () => {
      const staged = await this.stagedSize(valid);
      if (staged !== size) throw new UploadOffsetMismatchError(size, staged);
      const target = this.layout.blobPath(algorithm, hex);
      if (!this.prefixes.has(dirname(target))) await ensureDir(dirname(target));
      this.prefixes.add(dirname(target));
      this.sizes?.forget(valid);
      try {
        await rename(this.layout.uploadData(valid), target);
      } catch (error) {
        // Gone since its size was remembered (an idle upload expired by `cargohold gc`).
        if (isNotFound(error)) throw new UploadUnknownError(valid);
        throw error;
      }
      await fsyncDir(dirname(target));
      // Empty now unless it holds hash states: one rmdir, the recursive walk only when that fails.
      await rmdir(this.layout.uploadDir(valid)).catch(() => rm(this.layout.uploadDir(valid), { recursive: true, force: true }));
      this.stateless.delete(valid);
    });
  }

  async abort(id: string): Promise<void> {
    if (!isUploadId(id)) return;
    await this.locks.run(id, async () => {
      this.sizes?.forget(id);
      await rm(this.layout.uploadDir(id), { recursive: true, force: true });
      this.stateless.delete(id);
    });
  }

  async *list(): AsyncIterable<string> {
    const names = await readdir(this.layout.uploadsDir);
    yield* names.filter(isUploadId);
  }

  /** Called under the upload's lock, so a size read from the file may be remembered. */
  private async stagedSize(id: string): Promise<number> {
    const known = this.sizes?.get(id);
    if (known !== undefined) return known;
    try {
      const { size } = await stat(this.layout.uploadData(id));
      this.sizes?.set(id, size);
      return size;
    } catch (error) {
      if (isNotFound(error)) throw new UploadUnknownError(id);
      throw error;
    }
  }

  /** Writes `hashstates/<alg>/<offset>` (temp file, fsync, rename), then drops the older states. */
  private async saveState(id: string, state: HashState): Promise<void> {
    const dir = this.layout.hashStatesDir(id, state.algorithm);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${state.offset}.tmp`);
    await writeFile(temp, state.state, { flush: true });
    await rename(temp, join(dir, String(state.offset)));
    for (const name of await readdir(dir)) {
      if (name !== String(state.offset)) await unlink(join(dir, name)).catch(() => undefined);
    }
  }

  /** The saved state with the highest offset not past `size`, if any. */
  private async latestState(id: string, size: number): Promise<HashState | undefined> {
    const dir = this.layout.hashStatesDir(id, STATE_ALGORITHM);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const offsets = names
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((offset) => offset <= size);
    if (offsets.length === 0) return undefined;
    const offset = Math.max(...offsets);
    try {
      return { algorithm: STATE_ALGORITHM, offset, state: new Uint8Array(await readFile(join(dir, String(offset)))) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function validId(id: string): string {
  if (!isUploadId(id)) throw new UploadUnknownError(id.slice(0, 64));
  return id;
}
