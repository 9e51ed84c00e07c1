import type { Readable } from 'node:stream';
import { isDigest, parseDigest, type Digest } from '@cargohold/oci';
import type { BeforePublish, BlobInventory, BlobStore, ByteRange, Found, StoredBlob } from '@cargohold/storage-ports';
import { PartPipeline } from './part-pipeline';
import type { CompletedPart, S3Objects } from './s3-objects';
import type { S3Layout } from './s3-layout';

/**
 * Content-addressed blobs as objects `blobs/<alg>/<hex>` (layout in s3-layout.ts).
 *
 * `put` sends the bytes (metered and hashed by the core) and publishes only after the core's comparison
 * accepted them: a body that fits in one part is sent by a single PutObject after it; a larger one
 * goes through a multipart upload at the blob's key, cut by the part schedule of s3-layout.ts and sent
 * while the body streams (at most two parts in memory), whose parts stay invisible until the
 * CompleteMultipartUpload issued after verification (or are aborted). No copy of the bytes is needed.
 */
export class S3BlobStore implements BlobStore, BlobInventory {
  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
  ) {}

  /** A ListObjectsV2 of blobs/: keys that are not a digest's are skipped; LastModified is the publish time. */
  async *stored(): AsyncIterable<StoredBlob> {
    for await (const object of this.objects.listed(this.layout.blobsPrefix)) {
      const digest = this.layout.digestOfKey(object.key);
      if (digest !== undefined && isDigest(digest)) yield { digest, size: object.size, modifiedAt: object.modifiedAt };
    }
  }

  async stat(digest: Digest): Promise<Found<{ size: number }>> {
    const size = await this.objects.size(this.keyOf(digest));
    return size === undefined ? { found: false } : { found: true, size };
  }

  async open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>> {
    const opened = await this.objects.open(this.keyOf(digest), range);
    return opened ? { found: true, size: opened.size, body: opened.body } : { found: false };
  }

  async put(digest: Digest, body: AsyncIterable<Uint8Array>, verify: BeforePublish): Promise<{ size: number }> {
    const key = this.keyOf(digest);
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const pipeline = new PartPipeline(1, async (number, part) => {
      uploadId ??= await this.objects.createMultipart(key);
      parts.push(await this.objects.uploadPart(key, uploadId, number, part, part.length));
    });
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        await pipeline.write(chunk);
      }
      await pipeline.flush();
      await verify();
      const rest = pipeline.rest();
      if (uploadId === undefined) {
        await this.objects.put(key, rest);
      } else {
        if (rest.length > 0) parts.push(await this.objects.uploadPart(key, uploadId, parts.length + 1, rest, rest.length));
        await this.objects.completeMultipart(key, uploadId, parts);
      }
      return { size };
    } catch (error) {
      await pipeline.settle();
      if (uploadId !== undefined) await this.objects.abortMultipart(key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  /** Idempotent: deleting a missing key is S3's 204. */
  async delete(digest: Digest): Promise<void> {
    await this.objects.delete(this.keyOf(digest));
  }

  /** S3 has no rename: a server-side copy into corrupt/, then the delete that unpublishes the blob. */
  async quarantine(digest: Digest): Promise<void> {
    const key = this.keyOf(digest);
    const size = await this.objects.size(key);
    if (size === undefined) return;
    const { algorithm, hex } = parseDigest(digest);
    await this.objects.copy(key, this.layout.corruptKey(algorithm, hex), size);
    await this.objects.delete(key);
  }

  private keyOf(digest: Digest): string {
    const { algorithm, hex } = parseDigest(digest);
    return this.layout.blobKey(algorithm, hex);
  }
}
