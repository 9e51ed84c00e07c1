import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parseDigest, type Digest } from '@cargohold/oci';
import { s3Call } from './s3-errors';
import { S3Layout } from './s3-layout';

/** Where a deployment keeps its blobs: a bucket and the key prefix inside it. */
export interface S3BlobLocation {
  readonly bucket: string;
  readonly prefix?: string;
}

/** CopyObject's own limit; larger objects are copied in parts. */
const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART_BYTES = 512 * 1024 ** 2;

/**
 * Copies a verified blob from one deployment's bucket into another's (another region's stack) server-side:
 * CopyObject up to 5 GiB, UploadPartCopy parts above, so no byte passes through the caller. The client is
 * the destination's (S3 copies are requested in the destination's region). The key is the blob's own, so
 * a repeated copy rewrites the same bytes; a copy becomes visible only when complete.
 */
export class S3BlobCopier {
  constructor(
    private readonly client: S3Client,
    private readonly options: { singleCopyLimit?: number; partBytes?: number } = {},
  ) {}

  async copy(digest: Digest, size: number, from: S3BlobLocation, to: S3BlobLocation): Promise<void> {
    const { algorithm, hex } = parseDigest(digest);
    const source = `${from.bucket}/${new S3Layout(from.prefix).blobKey(algorithm, hex)}`;
    const target = { Bucket: to.bucket, Key: new S3Layout(to.prefix).blobKey(algorithm, hex) };
    if (size <= (this.options.singleCopyLimit ?? SINGLE_COPY_LIMIT)) {
      await s3Call('CopyObject', () => this.client.send(new CopyObjectCommand({ ...target, CopySource: source })));
      return;
    }
    const { UploadId } = await s3Call('CreateMultipartUpload', () => this.client.send(new CreateMultipartUploadCommand(target)));
    try {
      const partBytes = this.options.partBytes ?? COPY_PART_BYTES;
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let start = 0, PartNumber = 1; start < size; start += partBytes, PartNumber++) {
        const range = `bytes=${start}-${Math.min(start + partBytes, size) - 1}`;
        const { CopyPartResult } = await s3Call('UploadPartCopy', () =>
          this.client.send(new UploadPartCopyCommand({ ...target, UploadId, PartNumber, CopySource: source, CopySourceRange: range })),
        );
        parts.push({ ETag: CopyPartResult?.ETag ?? '', PartNumber });
      }
      await s3Call('CompleteMultipartUpload', () =>
        this.client.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: parts } })),
      );
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ ...target, UploadId })).catch(() => undefined);
      throw error;
    }
  }
}
