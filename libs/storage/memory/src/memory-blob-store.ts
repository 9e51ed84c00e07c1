import { Readable } from 'node:stream';
import type { Digest } from '@cargohold/oci';
import type { BeforePublish, BlobStore, ByteRange, Found } from '@cargohold/storage-ports';

/** Blob bytes in a Map, published like the durable adapters: only once the core's comparison accepted them. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<Digest, Buffer>();
  /** Bytes moved aside by `quarantine`, as the durable adapters keep them for inspection. */
  readonly quarantined = new Map<Digest, Buffer>();

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
  }

  async quarantine(digest: Digest): Promise<void> {
    const bytes = this.blobs.get(digest);
    if (!bytes) return;
    this.quarantined.set(digest, bytes);
    this.blobs.delete(digest);
  }

  /** Makes bytes addressable whose digest the core computed and compared (a put, an upload's commit). */
  keep(digest: Digest, bytes: Buffer): void {
    if (!this.blobs.has(digest)) this.blobs.set(digest, bytes);
  }
}
