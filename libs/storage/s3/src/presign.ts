import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseDigest, type Digest } from '@cargohold/oci';
import { s3Call } from './s3-errors';
import { S3Layout } from './s3-layout';

/**
 * A time-limited GET URL for a blob, for the 307 redirect the distribution API answers on Lambda (whose
 * response bodies are capped). Signing is local: it neither checks that the blob exists nor calls S3,
 * so callers stat the blob first. The URL serves Range requests like any S3 GET.
 */
export async function presignBlobUrl(client: S3Client, bucket: string, prefix: string | undefined, digest: Digest, expiresInSeconds: number): Promise<string> {
  const { algorithm, hex } = parseDigest(digest);
  const command = new GetObjectCommand({ Bucket: bucket, Key: new S3Layout(prefix).blobKey(algorithm, hex) });
  return s3Call('presign GetObject', () => getSignedUrl(client, command, { expiresIn: expiresInSeconds }));
}
