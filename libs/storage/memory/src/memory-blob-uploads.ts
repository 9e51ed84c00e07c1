import { parseDigest, type Digest } from '@cargohold/oci';
import { UploadOffsetMismatchError, UploadUnknownError } from '@cargohold/storage-ports';
import type { AppendOptions, BlobUploads, Found } from '@cargohold/storage-ports';
import { collect } from './bytes';
import { KeyedMutex } from '@cargohold/storage-ports';
import type { MemoryBlobStore } from './memory-blob-store';

/** Server-generated UUIDs only, as the durable adapters require, so core bugs surface in unit tests too. */
const UPLOAD_ID = /^[0-9a-f-]{36}$/;

/** Staging areas as chunk lists; an append is all-or-nothing, which is the contract's rollback. */
export class MemoryBlobUploads implements BlobUploads {
  private readonly staged = new Map<string, Buffer[]>();
  private readonly locks = new KeyedMutex();

  constructor(private readonly blobs: MemoryBlobStore) {}

  async create(id: string): Promise<void> {
    if (!UPLOAD_ID.test(id)) throw new UploadUnknownError(id.slice(0, 64));
    if (!this.staged.has(id)) this.staged.set(id, []);
  }

  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, options: AppendOptions): Promise<{ size: number }> {
    return this.locks.run(id, async () => {
      const chunks = this.require(id);
      const size = sizeOf(chunks);
      if (offset !== size) throw new UploadOffsetMismatchError(offset, size);
      const bytes = await collect(body, { base: offset, what: 'upload', ...options });
      if (this.staged.get(id) !== chunks) throw new UploadUnknownError(id);
      if (bytes.length > 0) chunks.push(bytes);
      return { size: offset + bytes.length };
    });
  }

  async size(id: string): Promise<Found<{ size: number }>> {
    const chunks = this.staged.get(id);
    return chunks ? { found: true, size: sizeOf(chunks) } : { found: false };
  }

  async commit(id: string, digest: Digest): Promise<{ size: number }> {
    const { algorithm } = parseDigest(digest);
    return this.locks.run(id, async () => {
      const bytes = Buffer.concat(this.require(id));
      this.blobs.admit(digest, algorithm, bytes);
      this.staged.delete(id);
      return { size: bytes.length };
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

  private require(id: string): Buffer[] {
    const chunks = this.staged.get(id);
    if (!chunks) throw new UploadUnknownError(id.slice(0, 64));
    return chunks;
  }
}

const sizeOf = (chunks: readonly Buffer[]) => chunks.reduce((sum, chunk) => sum + chunk.length, 0);
