import type { Readable } from 'node:stream';
import { isDigest, type Digest } from '@cargohold/oci';
import type { BeforePublish, BlobInventory, BlobStore, ByteRange, Found, StoredBlob } from '@cargohold/storage-ports';
import { PartPipeline } from './part-pipeline';
import { S3BlobIndex } from './s3-blob-index';
import type { CompletedPart, S3Objects } from './s3-objects';
import { PARTS_IN_FLIGHT, type S3Layout } from './s3-layout';

/**
 * Content-addressed blobs under `blobs/<alg>/<hex>` (layout in s3-layout.ts): each a plain object, or a
 * pointer to the data object an upload's commit completed in place (S3BlobIndex follows it).
 *
 * `put` sends the bytes (metered and hashed by the core) and publishes only after the core's comparison
 * accepted them: a body that fits in one part is sent by a single PutObject after it; a larger one
 * goes through a multipart upload at the blob's key, cut by the part schedule of s3-layout.ts and sent
 * while the body streams (PARTS_IN_FLIGHT parts at a time), whose parts stay invisible until the
 * CompleteMultipartUpload issued after verification (or are aborted). No copy of the bytes is needed.
 */
export class S3BlobStore implements BlobStore, BlobInventory {
  private readonly index: S3BlobIndex;

  constructor(
    private readonly objects: S3Objects,
    private readonly layout: S3Layout,
  ) {
    this.index = new S3BlobIndex(objects, layout);
  }

  /**
   * A ListObjectsV2 of blobs/: keys that are not a digest's are skipped; LastModified is the publish time.
   * A pointer lists as an empty object, so an empty entry is located to report the size of its data.
   */
  async *stored(): AsyncIterable<StoredBlob> {
    for await (const object of this.objects.listed(this.layout.blobsPrefix)) {
      const digest = this.layout.digestOfKey(object.key);
      if (digest === undefined || !isDigest(digest)) continue;
      const size = object.size > 0 ? object.size : ((await this.index.locate(digest))?.size ?? 0);
      yield { digest, size, modifiedAt: object.modifiedAt };
    }
  }

  async stat(digest: Digest): Promise<Found<{ size: number }>> {
    const located = await this.index.locate(digest);
    return located ? { found: true, size: located.size } : { found: false };
  }

  async open(digest: Digest, range?: ByteRange): Promise<Found<{ size: number; body: Readable }>> {
    const opened = await this.index.open(digest, range);
    return opened ? { found: true, size: opened.size, body: opened.body } : { found: false };
  }

  async put(digest: Digest, body: AsyncIterable<Uint8Array>, verify: BeforePublish): Promise<{ size: number }> {
    const key = this.index.keyOf(digest);
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const pipeline = new PartPipeline(
      1,
      async (number, part) => {
        uploadId ??= await this.objects.createMultipart(key);
        parts.push(await this.objects.uploadPart(key, uploadId, number, part, part.length));
      },
      undefined,
      PARTS_IN_FLIGHT,
    );
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        await pipeline.write(chunk);
      }
      await pipeline.flush();
      await verify();
      if (await this.publishedByCommit(digest)) {
        // The same verified bytes are there already; writing over the pointer would strand its data.
        if (uploadId !== undefined) await this.objects.abortMultipart(key, uploadId).catch(() => undefined);
        return { size };
      }
      const rest = pipeline.rest();
      if (uploadId === undefined) {
        await this.objects.put(key, rest);
      } else {
        if (rest.length > 0) parts.push(await this.objects.uploadPart(key, uploadId, parts.length + 1, rest, rest.length));
        await this.objects.completeMultipart(
          key,
          uploadId,
          parts.sort((a, b) => a.number - b.number),
        );
      }
      return { size };
    } catch (error) {
      await pipeline.settle();
      if (uploadId !== undefined) await this.objects.abortMultipart(key, uploadId).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Idempotent: deleting a missing key is S3's 204. A pointer's data goes first, then the pointer: a
   * crash in between leaves a pointer that reads as no blob, and that the next delete (GC) finishes.
   */
  async delete(digest: Digest): Promise<void> {
    const key = this.index.keyOf(digest);
    const entry = await this.index.entry(key);
    if (entry?.kind === 'pointer' && entry.target !== undefined) await this.objects.delete(entry.target);
    await this.objects.delete(key);
  }

  /**
   * S3 has no rename: the entry is written into corrupt/ (a plain object by a server-side copy, a pointer
   * as a pointer to the same data), then deleted from blobs/, which unpublishes it. The data of a pointer
   * quarantined there before under the same digest is freed, as a plain object there is overwritten.
   */
  async quarantine(digest: Digest): Promise<void> {
    const key = this.index.keyOf(digest);
    const entry = await this.index.entry(key);
    if (!entry) return;
    const aside = this.index.corruptKeyOf(digest);
    const before = await this.index.entry(aside);
    if (entry.kind === 'object') await this.objects.copy(key, aside, entry.size);
    else if (entry.target !== undefined) await this.index.writePointer(aside, entry.target, entry.size);
    await this.objects.delete(key);
    const kept = entry.kind === 'pointer' ? entry.target : undefined;
    if (before?.kind === 'pointer' && before.target !== undefined && before.target !== kept) await this.objects.delete(before.target);
  }

  /** Whether `digest` is published as a pointer whose data is there. */
  private async publishedByCommit(digest: Digest): Promise<boolean> {
    const located = await this.index.locate(digest);
    return located !== undefined && located.key !== this.index.keyOf(digest);
  }
}
