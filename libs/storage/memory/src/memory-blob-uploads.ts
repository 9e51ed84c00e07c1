import { isUploadId, type Digest } from '@cargohold/oci';
import { KeyedMutex, UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import type { BlobUploads, Found, HashState } from '@cargohold/storage-ports';
import type { MemoryBlobStore } from './memory-blob-store';

interface Staged {
  readonly chunks: Buffer[];
  size: number;
  hashState?: HashState;
}

/** Staging areas as chunk lists; an append is all-or-nothing, which is the contract's rollback. */
export class MemoryBlobUploads implements BlobUploads {
  private readonly staged = new Map<string, Staged>();
  private readonly locks = new KeyedMutex();

  constructor(private readonly blobs: MemoryBlobStore) {}

  async create(id: string): Promise<void> {
    validId(id);
    if (!this.staged.has(id)) this.staged.set(id, { chunks: [], size: 0 });
  }

  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, hashState?: () => HashState): Promise<{ size: number }> {
    return this.locks.run(validId(id), async () => {
      const staged = this.require(id);
      if (offset !== staged.size) throw new UploadOffsetMismatchError(offset, staged.size);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk));
      if (this.staged.get(id) !== staged) throw new UploadUnknownError(id);
      staged.chunks.push(...chunks);
      staged.size += chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      if (hashState) staged.hashState = hashState();
      return { size: staged.size };
    });
  }

  async status(id: string): Promise<Found<{ size: number; hashState?: HashState }>> {
    const staged = this.staged.get(id);
    if (!staged) return { found: false };
    return staged.hashState ? { found: true, size: staged.size, hashState: staged.hashState } : { found: true, size: staged.size };
  }

  async *read(id: string, start: number): AsyncIterable<Uint8Array> {
    yield Buffer.concat(this.require(validId(id)).chunks).subarray(start);
  }

  async commit(id: string, digest: Digest, size: number): Promise<void> {
    return this.locks.run(validId(id), async () => {
      const staged = this.require(id);
      if (staged.size !== size) throw new UploadOffsetMismatchError(size, staged.size);
      this.blobs.keep(digest, Buffer.concat(staged.chunks));
      this.staged.delete(id);
    });
  }

  async abort(id: string): Promise<void> {
    return this.locks.run(id, async () => {
      this.staged.delete(id);
    });
  }

  async *list(): AsyncIterable<string> {
    yield* [...this.staged.keys()];
  }

  private require(id: string): Staged {
    const staged = this.staged.get(id);
    if (!staged) throw new UploadUnknownError(id);
    return staged;
  }
}

/** The same grammar as the durable adapters, so core bugs surface in unit tests too. */
function validId(id: string): string {
  if (!isUploadId(id)) throw new UploadUnknownError(id.slice(0, 64));
  return id;
}
