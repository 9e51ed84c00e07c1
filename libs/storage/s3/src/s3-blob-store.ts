import type { Readable } from 'node:stream';
import { createDigester, parseDigest, type Digest } from '@cargohold/oci';
import { DigestMismatchError } from '@cargohold/storage-ports';
import type { BlobStore, ByteRange, Found, PutBlobOptions } from '@cargohold/storage-ports';
import { metered, PartBuffer } from './metered';
import type { CompletedPart, S3Objects } from './s3-objects';
import { PART_SIZE, type S3Layout } from './s3-layout';

/**
 * Content-addressed blobs as objects `blobs/<alg>/<hex>` (layout in s3-layout.ts).
 *
 * `put` hashes the bytes in this process while it sends them, and publishes only after the digest
 * matched: a body that fits in one part is sent by a single PutObject after verification; a larger one
 * goes through a multipart upload at the blob's key whose parts stay invisible until the
 * CompleteMultipartUpload issued after verification (or are aborted). No copy of the bytes is needed.
 */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
  ) {}

  async stat(digest: Digest): Promise<Found<{ size: number }>> {
    const size = await this.objects.size(this.keyOf(digest));
    return size === undefined ? { found: false } : { found: true, size };
  }

  async open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>> {
    const opened = await this.objects.open(this.keyOf(digest), range);
    return opened ? { found: true, size: opened.size, body: opened.body } : { found: false };
  }

  async put(digest: Digest, body: AsyncIterable<Uint8Array>, options: PutBlobOptions): Promise<{ size: number }> {
    const { algorithm } = parseDigest(digest);
    const key = this.keyOf(digest);
    const digester = createDigester(algorithm);
    const meter = metered(body, { base: 0, what: 'blob', ...options }, digester);

    if ((await this.objects.size(key)) !== undefined) {
      for await (const _chunk of meter.chunks) {
        // drained only to verify: the stored blob already holds these bytes
      }
      verify(digest, digester.digest());
      return { size: meter.received() };
    }

    const buffer = new PartBuffer(PART_SIZE);
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    try {
      for await (const chunk of meter.chunks) {
        for (const part of buffer.push(chunk)) {
          uploadId ??= await this.objects.createMultipart(key);
          parts.push(await this.objects.uploadPart(key, uploadId, parts.length + 1, part, part.length));
        }
      }
      verify(digest, digester.digest());
      const rest = buffer.take();
      if (uploadId === undefined) {
        await this.objects.put(key, rest);
      } else {
        if (rest.length > 0) parts.push(await this.objects.uploadPart(key, uploadId, parts.length + 1, rest, rest.length));
        await this.objects.completeMultipart(key, uploadId, parts);
      }
      return { size: meter.received() };
    } catch (error) {
      if (uploadId !== undefined) await this.objects.abortMultipart(key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  /** Idempotent: deleting a missing key is S3's 204. */
  async delete(digest: Digest): Promise<void> {
    await this.objects.delete(this.keyOf(digest));
  }

  private keyOf(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return this.layout.blobKey(algorithm, hex);
  }
}

export function verify(claimed: Digest, computed: Digest): void {
  if (computed !== claimed) throw new DigestMismatchError(claimed, computed);
}
