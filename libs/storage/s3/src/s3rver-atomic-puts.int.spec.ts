import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startS3rver, type S3rverHandle } from './testing';

/** The emulator must show objects as S3 does, only whole, or specs would test its artifact rather than our code. */
let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver('atomic-puts');
});
afterAll(() => s3.stop());

it('shows no object while its body is still arriving, and the whole object after', async () => {
  const client = s3.client();
  const body = new PassThrough();
  const head = () =>
    client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'blobs/slow' })).then(
      (answer) => answer.ContentLength,
      (error: { name?: string }) => error.name,
    );
  const put = client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'blobs/slow', Body: body, ContentLength: 2 * 1024 * 1024 }));
  body.write(Buffer.alloc(1024 * 1024, 1));
  await sleep(300); // long enough for the first MiB to reach the emulator's disk

  expect(await head()).toBe('NotFound');

  body.end(Buffer.alloc(1024 * 1024, 2));
  await put;
  expect(await head()).toBe(2 * 1024 * 1024);
});
