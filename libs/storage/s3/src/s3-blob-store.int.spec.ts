import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { digestOf } from '@cargohold/oci';
import { DigestMismatchError } from '@cargohold/storage-ports';
import { bodyOf, bytesOf } from '@cargohold/storage-testing';
import { createS3BlobStorage, presignBlobUrl, S3StorageError } from './index';
import { startS3rver, type S3rverHandle } from './testing';

const MiB = 1024 * 1024;
/** The core's comparison, accepting (it computed the digest and it matched). */
const ACCEPT = () => undefined;

describe('S3BlobStore', () => {
  let s3: S3rverHandle;
  let client: S3Client;
  let prefix: string;
  const keys = async (): Promise<string[]> => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
    return (listed.Contents ?? []).map((object) => (object.Key ?? '').slice(prefix.length + 1)).sort();
  };

  beforeAll(async () => {
    s3 = await startS3rver();
    client = s3.client();
  });
  afterAll(async () => {
    await s3.stop();
  });
  beforeEach(() => {
    prefix = `spec-${randomUUID()}`;
  });

  it('stores a blob at <prefix>/blobs/<alg>/<hex> and nothing else', async () => {
    const { blobs } = createS3BlobStorage({ client, bucket: s3.bucket, prefix });
    const bytes = bytesOf(10);
    const digest = digestOf(bytes, 'sha512');
    await blobs.put(digest, bodyOf(bytes), ACCEPT);
    expect(await keys()).toEqual([`blobs/sha512/${digest.slice('sha512:'.length)}`]);
  });

  it('leaves nothing addressable when the comparison refuses a multi-part put', async () => {
    const { blobs } = createS3BlobStorage({ client, bucket: s3.bucket, prefix });
    const bytes = bytesOf(11 * MiB, 4);
    const claimed = digestOf(bytesOf(11 * MiB, 5));
    const refuse = () => {
      throw new DigestMismatchError(claimed, digestOf(bytes));
    };
    await expect(blobs.put(claimed, bodyOf(bytes, 256 * 1024), refuse)).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await blobs.stat(claimed)).toEqual({ found: false });
    expect(await keys()).toEqual([]);
  });

  it('translates S3 failures into S3StorageError, keeping the SDK error only as the cause', async () => {
    const { blobs } = createS3BlobStorage({ client, bucket: 'no-such-bucket', prefix });
    // (HeadObject cannot tell a missing bucket from a missing key: both are a bare 404.)
    const error = await blobs.open(digestOf(bytesOf(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3StorageError);
    expect((error as S3StorageError).message).toBe('S3 GetObject failed');
    expect((error as S3StorageError).cause).toMatchObject({ name: 'NoSuchBucket' });
    await expect(blobs.put(digestOf(bytesOf(1)), bodyOf(bytesOf(1)), ACCEPT)).rejects.toBeInstanceOf(S3StorageError);
  });

  describe('presignBlobUrl', () => {
    it('signs a URL that a plain GET answers with the blob bytes', async () => {
      const { blobs } = createS3BlobStorage({ client, bucket: s3.bucket, prefix });
      const bytes = bytesOf(4096, 3);
      await blobs.put(digestOf(bytes), bodyOf(bytes), ACCEPT);

      const url = await presignBlobUrl(client, s3.bucket, prefix, digestOf(bytes), 300);
      if (url === undefined) throw new Error('no URL for a stored blob');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

      const ranged = await fetch(url, { headers: { Range: 'bytes=10-19' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    });
  });
});
