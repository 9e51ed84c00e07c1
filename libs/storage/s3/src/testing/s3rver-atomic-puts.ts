import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The part of s3rver's FilesystemStore (lib/stores/filesystem.js) that an object write goes through. */
export interface S3rverStore {
  readonly rootDirectory: string;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: Readable | Buffer; metadata: Record<string, string> }): Promise<{ size: number; md5: string }>;
}

/**
 * S3 shows an object only whole: a HEAD or GET during a PutObject or a CompleteMultipartUpload sees the
 * previous object or none. s3rver streams the body (or the concatenated parts) straight into the object's
 * file, so a reader during the write sees a prefix of it, with its size: a blob the upload gateway was
 * still completing was then linked with that size, and read back as corrupt. Here every object is written
 * beside the data directory and renamed into place once whole, its metadata first (a new key reads as
 * absent until the rename).
 */
export function makeObjectWritesAtomic(store: S3rverStore): void {
  const staging = join(dirname(store.rootDirectory), `${basename(store.rootDirectory)}.staging`);
  store.putObject = async (object) => {
    await mkdir(staging, { recursive: true });
    const temporary = join(staging, randomUUID());
    const md5 = createHash('md5');
    let size = 0;
    const metered = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        md5.update(chunk);
        done(null, chunk);
      },
    });
    try {
      const content = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
      await pipeline(content, metered, createWriteStream(temporary));
      const hex = md5.digest('hex');
      const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
      await mkdir(dirname(objectPath), { recursive: true });
      await store.putMetadata(object.bucket, object.key, object.metadata, hex);
      await rename(temporary, objectPath);
      return { size, md5: hex };
    } finally {
      await rm(temporary, { force: true });
    }
  };
}
