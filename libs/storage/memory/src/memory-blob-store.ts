import { Readable } from 'node:stream';
import type { Digest } from '@cargohold/oci';
import type { BeforePublish, BlobInventory, BlobStore, ByteRange, Found, StoredBlob } from '@cargohold/storage-ports';

/** Blob bytes in a Map, published like the durable adapters: only once the core's comparison accepted them. */
export class MemoryBlobStore implements BlobStore, BlobInventory {
  private readonly blobs = new Map<Digest, Buffer>();
  private readonly written = new Map<Digest, Date>();
  /** Bytes moved aside by `quarantine`, as the durable adapters keep them for inspection. */
  readonly quarantined = new Map<Digest, Buffer>();

  /** `now` stamps each publish (StoredBlob.modifiedAt), so specs can age blobs with their own clock. */
  constructor(private readonly now: () => Date = () => new Date()) {}

  async stat(digest: Digest): Promise<Found<{ size: number }>> {
    const bytes = this.blobs.get(digest);
    return bytes ? { found: true, size: bytes.length } : { found: false };
  }

  async open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>> {
    const bytes = this.blobs.get(digest);
    if (!bytes) return { found: false };
    const slice = range ? bytes.subarray(range.start, range.end + 1) : bytes;
    return { found: true, size: bytes.length, body: Readable.from([Buffer.from(slice)], { objectMode: false }) };
  }

  async put(digest: Digest, body: AsyncIterable<Uint8Array>, verify: BeforePublish): Promise<{ size: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    await verify();
    const bytes = Buffer.concat(chunks);
    this.keep(digest, bytes);
    return { size: bytes.length };
  }

  async delete(digest: Digest): Promise<void> {
    this.blobs.delete(digest);
    this.written.delete(digest);
  }

  async *stored(): AsyncIterable<StoredBlob> {
    const listed = [...this.blobs].map(([digest, bytes]) => ({
      digest,
      size: bytes.length,
      modifiedAt: new Date((this.written.get(digest) ?? this.now()).getTime()),
    }));
    yield* listed;
  }

  async quarantine(digest: Digest): Promise<void> {
    const bytes = this.blobs.get(digest);
    if (!bytes) return;
    this.quarantined.set(digest, bytes);
    this.blobs.delete(digest);
    this.written.delete(digest);
  }

  /** Makes bytes addressable whose digest the core computed and compared (a put, an upload's commit). */
  keep(digest: Digest, bytes: Buffer): void {
    if (this.blobs.has(digest)) return;
    this.blobs.set(digest, bytes);
    this.written.set(digest, this.now());
  }
}
