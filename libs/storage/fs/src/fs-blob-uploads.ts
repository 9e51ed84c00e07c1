import { open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isUploadId, parseDigest, type Digest } from '@cargohold/oci';
import { KeyedMutex, UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import type { BlobUploads, Found, HashState } from '@cargohold/storage-ports';
import { ensureDir, isNotFound, type FsLayout } from './fs-layout';
import { CHUNK, writeDurably } from './durable-write';
import { directorySync, type DirectorySyncs } from './directory-syncs';
import { latestState, saveState } from './hash-states';
import { StagedSizes, type Staged } from './staged-sizes';

/** The algorithm whose states the core saves; another one is never asked for. */
const STATE_ALGORITHM = 'sha256';

export interface FsBlobUploadsOptions {
  /**
   * No other process appends to these uploads (the embedded server without an upload gateway), so staged
   * sizes are kept in memory instead of read back with a `stat` (StagedSizes).
   */
  readonly soleWriter?: boolean;
  /** Directory fsyncs on kept descriptors (shared with the blob store); each opens its directory without. */
  readonly syncs?: DirectorySyncs;
}

/**
 * Resumable uploads staged in `<root>/uploads/<id>` (layout in fs-layout.ts; an upload an earlier version
 * staged in `uploads/<id>/data` is carried on where it is). Appends and commits of one id are serialized
 * in this process. The hash state the core hands an append is written after the bytes are durable, by
 * rename, so a crash leaves either the new state or the previous one (which the core catches up from the
 * bytes).
 */
export class FsBlobUploads implements BlobUploads {
  private readonly locks = new KeyedMutex();
  /**
   * Uploads this process created that hold no hash state yet, so a status need not list their hash states
   * (the adapter owns its root: no other process saves states into it). After a restart the set is
   * empty and every status lists the directory, as before.
   */
  private readonly stateless = new Set<string>();
  /** `blobs/<alg>/<xx>` directories known to exist (durably): nothing removes them once made. */
  private readonly prefixes = new Set<string>();
  /** Staged sizes known in this process; none unless it is the sole writer. */
  private readonly sizes: StagedSizes | undefined;
  private readonly syncDir: (dir: string) => Promise<void>;

  constructor(
    private readonly layout: FsLayout,
    options: FsBlobUploadsOptions = {},
  ) {
    this.sizes = options.soleWriter ? new StagedSizes() : undefined;
    this.syncDir = directorySync(options.syncs);
  }

  /**
   * One new file in uploads/ and one directory fsync that makes its entry durable before the session is.
   * (Ids are fresh: one an earlier version staged, in a folder, is never created again.)
   */
  async create(id: string): Promise<void> {
    const valid = validId(id);
    await this.locks.run(valid, async () => {
      let created;
      try {
        created = await open(this.layout.uploadData(valid), 'wx');
      } catch (error) {
        // Staged already (either layout): creating it again is a no-op.
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
        throw error;
      }
      // The entry exists once the open returned: its fsync need not wait for the close.
      await Promise.all([created.close(), this.syncDir(this.layout.uploadsDir)]);
      this.stateless.add(valid);
      this.sizes?.set(valid, { size: 0, legacy: false });
    });
  }

  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, hashState?: () => HashState): Promise<{ size: number }> {
    const valid = validId(id);
    return this.locks.run(valid, async () => {
      const { size: current, legacy } = await this.staged(valid);
      if (offset !== current) throw new UploadOffsetMismatchError(offset, current);
      const path = this.layout.uploadData(valid, legacy);
      let size: number;
      try {
        size = offset + (await writeDurably(path, 'r+', offset, body)).received;
      } catch (error) {
        this.sizes?.forget(valid);
        // Gone since its size was remembered (an idle upload expired by `cargohold gc`).
        if (isNotFound(error)) throw new UploadUnknownError(valid);
        await truncate(path, offset);
        await syncFile(path);
        this.sizes?.set(valid, { size: offset, legacy });
        throw error;
      }
      this.sizes?.set(valid, { size, legacy });
      if (hashState) {
        this.stateless.delete(valid);
        const state = hashState();
        await saveState(this.layout.hashStatesDir(valid, state.algorithm, legacy), state);
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
    let staged: Staged;
    try {
      staged = await this.staged(id);
    } catch (error) {
      if (error instanceof UploadUnknownError) return { found: false };
      throw error;
    }
    const { size, legacy } = staged;
    const hashState = this.stateless.has(id) ? undefined : await latestState(this.layout.hashStatesDir(id, STATE_ALGORITHM, legacy), STATE_ALGORITHM, size);
    return hashState ? { found: true, size, hashState } : { found: true, size };
  }

  async *read(id: string, start: number): AsyncIterable<Uint8Array> {
    const valid = validId(id);
    let handle;
    try {
      handle = await open(this.layout.uploadData(valid), 'r').catch((error: unknown) => {
        if (isNotFound(error)) return open(this.layout.uploadData(valid, true), 'r');
        throw error;
      });
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
      const { size: staged, legacy } = await this.staged(valid);
      if (staged !== size) throw new UploadOffsetMismatchError(size, staged);
      const target = this.layout.blobPath(algorithm, hex);
      if (!this.prefixes.has(dirname(target))) await ensureDir(dirname(target), this.syncDir);
      this.prefixes.add(dirname(target));
      this.sizes?.forget(valid);
      try {
        await rename(this.layout.uploadData(valid, legacy), target);
      } catch (error) {
        // Gone since its size was remembered (an idle upload expired by `cargohold gc`).
        if (isNotFound(error)) throw new UploadUnknownError(valid);
        throw error;
      }
      await this.syncDir(dirname(target));
      // What is left of the staging area: hash states, if any were saved; the folder of a legacy upload.
      if (legacy) await rm(this.layout.legacyUploadDir(valid), { recursive: true, force: true });
      else if (!this.stateless.has(valid)) await rm(this.layout.hashStatesRoot(valid), { recursive: true, force: true });
      this.stateless.delete(valid);
    });
  }

  async abort(id: string): Promise<void> {
    if (!isUploadId(id)) return;
    await this.locks.run(id, async () => {
      this.sizes?.forget(id);
      // The staged file and its hash states, or a legacy upload's folder.
      await rm(this.layout.uploadData(id), { force: true });
      await rm(this.layout.hashStatesRoot(id), { recursive: true, force: true });
      await rm(this.layout.legacyUploadDir(id), { recursive: true, force: true });
      this.stateless.delete(id);
    });
  }

  /** Every upload with something staged: its bytes, or only hash states a commit or an abort left behind. */
  async *list(): AsyncIterable<string> {
    const ids = new Set((await readdir(this.layout.uploadsDir)).map((name) => this.layout.uploadOf(name)));
    yield* [...ids].filter(isUploadId);
  }

  /** Size and layout of what is staged; called under the upload's lock, so what a stat finds may be remembered. */
  private async staged(id: string): Promise<Staged> {
    const known = this.sizes?.get(id);
    if (known !== undefined) return known;
    try {
      let legacy = false;
      const found = await stat(this.layout.uploadData(id)).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
        legacy = true;
        return stat(this.layout.uploadData(id, true));
      });
      const staged = { size: found.size, legacy };
      this.sizes?.set(id, staged);
      return staged;
    } catch (error) {
      if (isNotFound(error)) throw new UploadUnknownError(id);
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
