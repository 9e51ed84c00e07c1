import { Readable } from 'node:stream';
import { digestOf, parseDigest, type Digest } from '@cargohold/oci';
import { DigestMismatchError } from '@cargohold/storage-ports';
import type { BlobStore, ByteRange, Found, PutBlobOptions } from '@cargohold/storage-ports';
import { collect } from './bytes';

/** Blob bytes in a Map, verified exactly like the durable adapters (the digest is computed, not trusted). */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<Digest, Buffer>();

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

  async put(digest: Digest, body: AsyncIterable<Uint8Array>, options: PutBlobOptions): Promise<{ size: number }> {
    const { algorithm } = parseDigest(digest);
    const bytes = await collect(body, { base: 0, what: 'blob', ...options });
    this.admit(digest, algorithm, bytes);
    return { size: bytes.length };
  }

  async delete(digest: Digest): Promise<void> {
    this.blobs.delete(digest);
  }

  /** Verifies `bytes` against `digest` and makes them addressable (a no-op when already present). */
  admit(digest: Digest, algorithm: 'sha256' | 'sha512', bytes: Buffer): void {
    const computed = digestOf(bytes, algorithm);
    if (computed !== digest) throw new DigestMismatchError(digest, computed);
    this.keep(digest, bytes);
  }

  /** Makes bytes addressable whose digest the caller computed and compared (an upload's commit). */
  keep(digest: Digest, bytes: Buffer): void {
    if (!this.blobs.has(digest)) this.blobs.set(digest, bytes);
  }
}
