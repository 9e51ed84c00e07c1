import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Digest } from '@cargohold/oci';
import { S3BlobIndex } from './s3-blob-index';
import { s3Call } from './s3-errors';
import { S3Layout } from './s3-layout';
import { S3Objects } from './s3-objects';

/**
 * A time-limited GET URL for a blob, for the 307 redirect the distribution API answers on Lambda (whose
 * response bodies are capped). One HeadObject learns where the bytes are (the blob's own object, or the
 * data object its pointer names: the URL must reach the bytes themselves); signing is local. Undefined
 * when nothing is published under `digest`, so the caller serves its usual miss. The URL serves Range
 * requests like any S3 GET.
 */
export async function presignBlobUrl(
  client: S3Client,
  bucket: string,
  prefix: string | undefined,
  digest: Digest,
  expiresInSeconds: number,
): Promise<string | undefined> {
  const index = new S3BlobIndex(new S3Objects(client, bucket), new S3Layout(prefix));
  const entry = await index.entry(index.keyOf(digest));
  const key = entry?.kind === 'pointer' ? entry.target : entry?.key;
  if (key === undefined) return undefined;
  const command = new GetObjectCommand({ Bucket: bucket, Key: key });
  return s3Call('presign GetObject', () => getSignedUrl(client, command, { expiresIn: expiresInSeconds }));
}
