import type { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from './s3-blob-store';
import { S3BlobUploads } from './s3-blob-uploads';
import { S3Layout } from './s3-layout';
import { S3MultipartSweeper } from './s3-multipart-sweeper';
import { S3Objects } from './s3-objects';

export { presignBlobUrl } from './presign';
export { S3BlobStore } from './s3-blob-store';
export { S3BlobUploads } from './s3-blob-uploads';
export { S3StorageError, S3UnavailableError } from './s3-errors';
export { S3Layout } from './s3-layout';
export { S3MultipartSweeper } from './s3-multipart-sweeper';

export interface S3BlobStorageOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix inside the bucket (e.g. one per deployment stage); no leading or trailing slash needed. */
  readonly prefix?: string;
}

/**
 * Blob bytes and resumable uploads in one S3 bucket (key layout in s3-layout.ts). Instances hold no
 * state beyond an in-process lock table, so any number of them (one per Lambda invocation) may share a
 * bucket and continue each other's uploads.
 */
export function createS3BlobStorage(options: S3BlobStorageOptions): { blobs: S3BlobStore; uploads: S3BlobUploads; multipart: S3MultipartSweeper } {
  const layout = new S3Layout(options.prefix);
  const objects = new S3Objects(options.client, options.bucket);
  return { blobs: new S3BlobStore(objects, layout), uploads: new S3BlobUploads(objects, layout), multipart: new S3MultipartSweeper(objects, layout) };
}
export { S3BlobCopier, type S3BlobLocation } from './s3-blob-copier';
