import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { digestOf } from '@cargohold/oci';
import { bodyOf, bytesOf, readAll } from '@cargohold/storage-testing';
import { createS3BlobStorage, S3BlobCopier } from './index';
import { startS3rver, type S3rverHandle } from './testing';

/** Two deployments' buckets on one s3rver: a blob of the first becomes a blob of the second, server-side. */
describe('S3BlobCopier', () => {
  let s3: S3rverHandle;
  let client: S3Client;
  const replica = 'cargohold-replica';
  beforeAll(async () => {
    s3 = await startS3rver();
    client = s3.client();
    await client.send(new CreateBucketCommand({ Bucket: replica }));
  });
  afterAll(() => s3.stop());

  const stores = () => ({
    source: createS3BlobStorage({ client, bucket: s3.bucket, prefix: 'east' }).blobs,
    target: createS3BlobStorage({ client, bucket: replica, prefix: 'west' }).blobs,
  });

  it('copies a blob into the other bucket, where it reads back byte-exact', async () => {
    const { source, target } = stores();
    const bytes = bytesOf(300_000, 7);
    const digest = digestOf(bytes);
    await source.put(digest, bodyOf(bytes), () => undefined);

    await new S3BlobCopier(client).copy(digest, bytes.length, { bucket: s3.bucket, prefix: 'east' }, { bucket: replica, prefix: 'west' });

    expect(await target.stat(digest)).toEqual({ found: true, size: bytes.length });
    const opened = await target.open(digest);
    expect(opened.found && (await readAll(opened.body)).equals(bytes)).toBe(true);
  });
});
