import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDigester, parseDigest, type Digest, type DigestAlgorithm, type Digester } from '@cargohold/oci';
import { UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import type { AppendOptions, BlobUploads, Found } from '@cargohold/storage-ports';
import { verify } from './fs-blob-store';
import { ensureDir, fsyncDir, isNotFound, UPLOAD_ID, type FsLayout } from './fs-layout';
import { KeyedMutex } from '@cargohold/storage-ports';
import { CHUNK, writeMetered } from './metered-write';

/** The sha256 state of an upload's staged bytes, valid while the file still has this size and mtime. */
interface RunningHash {
  readonly size: number;
  readonly mtimeMs: number;
  /** Still accepting bytes; absent once `digest()` was taken. */
  readonly digester?: Digester;
  readonly digest?: Digest;
}

const RUNNING_ALGORITHM: DigestAlgorithm = 'sha256';

/**
 * Resumable uploads staged in `<root>/uploads/<id>/data` (layout in fs-layout.ts). Appends and commits
 * of one id are serialized in this process. A sha256 hash runs alongside the appends so that commit
 * needn't re-read the file; when it is missing or stale (a restart, another instance, a rolled-back
 * append, a sha512 digest) commit rehashes the staged file instead.
 */
export class FsBlobUploads implements BlobUploads {
  private readonly locks = new KeyedMutex();
  private readonly hashes = new Map<string, RunningHash>();

  constructor(private readonly layout: FsLayout) {}

  async create(id: string): Promise<void> {
    const valid = validId(id);
    await this.locks.run(valid, async () => {
      const created = await mkdir(this.layout.uploadDir(valid), { recursive: true });
      await (await open(this.layout.uploadData(valid), 'a')).close();
      await fsyncDir(this.layout.uploadDir(valid));
      if (created !== undefined) await fsyncDir(this.layout.uploadsDir);
    });
  }

  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, options: AppendOptions): Promise<{ size: number }> {
    const valid = validId(id);
    return this.locks.run(valid, async () => {
      const path = this.layout.uploadData(valid);
      const current = await this.stagedStat(valid);
      if (offset !== current.size) throw new UploadOffsetMismatchError(offset, current.size);

      const digester = this.continuableHash(valid, current);
      this.hashes.delete(valid);
      try {
        const limits = { base: offset, what: 'upload', ...options };
        const { received, mtimeMs } = await writeMetered(path, 'r+', offset, body, limits, digester);
        const size = offset + received;
        if (digester) this.hashes.set(valid, { size, mtimeMs, digester });
        return { size };
      } catch (error) {
        await truncate(path, offset);
        await this.syncFile(path);
        throw error;
      }
    });
  }

  async size(id: string): Promise<Found<{ size: number }>> {
    if (!UPLOAD_ID.test(id)) return { found: false };
    try {
      return { found: true, size: (await stat(this.layout.uploadData(id))).size };
    } catch (error) {
      if (isNotFound(error)) return { found: false };
      throw error;
    }
  }

  /** Verifies the staged bytes, then renames the file into blobs/: no copy, and atomic. */
  async commit(id: string, digest: Digest): Promise<{ size: number }> {
    const valid = validId(id);
    const { algorithm, hex } = parseDigest(digest);
    return this.locks.run(valid, async () => {
      const staged = await this.stagedStat(valid);
      const computed = this.runningDigest(valid, algorithm, staged) ?? (await this.rehash(valid, algorithm, staged));
      verify(digest, computed);

      const target = this.layout.blobPath(algorithm, hex);
      await ensureDir(dirname(target));
      await rename(this.layout.uploadData(valid), target);
      await fsyncDir(dirname(target));
      this.hashes.delete(valid);
      await rm(this.layout.uploadDir(valid), { recursive: true, force: true });
      return { size: staged.size };
    });
  }

  async abort(id: string): Promise<void> {
    if (!UPLOAD_ID.test(id)) return;
    await this.locks.run(id, async () => {
      this.hashes.delete(id);
      await rm(this.layout.uploadDir(id), { recursive: true, force: true });
    });
  }

  async *list(): AsyncIterable<string> {
    const names = await readdir(this.layout.uploadsDir);
    yield* names.filter((name) => UPLOAD_ID.test(name));
  }

  private async stagedStat(id: string): Promise<{ size: number; mtimeMs: number }> {
    try {
      const { size, mtimeMs } = await stat(this.layout.uploadData(id));
      return { size, mtimeMs };
    } catch (error) {
      if (isNotFound(error)) throw new UploadUnknownError(id);
      throw error;
    }
  }

  private fresh(id: string, staged: { size: number; mtimeMs: number }): RunningHash | undefined {
    const running = this.hashes.get(id);
    return running && running.size === staged.size && running.mtimeMs === staged.mtimeMs ? running : undefined;
  }

  /** The digester an append at the staged end can keep feeding, if any. */
  private continuableHash(id: string, staged: { size: number; mtimeMs: number }): Digester | undefined {
    if (staged.size === 0) return createDigester(RUNNING_ALGORITHM);
    return this.fresh(id, staged)?.digester;
  }

  private runningDigest(id: string, algorithm: DigestAlgorithm, staged: { size: number; mtimeMs: number }): Digest | undefined {
    const running = algorithm === RUNNING_ALGORITHM ? this.fresh(id, staged) : undefined;
    if (!running) return undefined;
    if (running.digest) return running.digest;
    const digest = running.digester?.digest();
    if (digest) this.hashes.set(id, { size: running.size, mtimeMs: running.mtimeMs, digest });
    return digest;
  }

  private async rehash(id: string, algorithm: DigestAlgorithm, staged: { size: number; mtimeMs: number }): Promise<Digest> {
    const digester = createDigester(algorithm);
    for await (const chunk of createReadStream(this.layout.uploadData(id), { highWaterMark: CHUNK })) {
      digester.update(chunk as Buffer);
    }
    const digest = digester.digest();
    if (algorithm === RUNNING_ALGORITHM) this.hashes.set(id, { ...staged, digest });
    return digest;
  }

  private async syncFile(path: string): Promise<void> {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function validId(id: string): string {
  if (!UPLOAD_ID.test(id)) throw new UploadUnknownError(id.slice(0, 64));
  return id;
}
