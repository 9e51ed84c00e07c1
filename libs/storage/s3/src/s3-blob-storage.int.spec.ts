import { randomUUID } from 'node:crypto';
import { describeBlobStoreContract } from '@cargohold/storage-testing';
import { createS3BlobStorage } from './index';
import { startS3rver, type S3rverHandle } from './testing';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3.stop();
});

describeBlobStoreContract(
  's3',
  async () => {
    // A fresh prefix per test isolates it; a new client per instance stands in for a new process.
    const prefix = `contract-${randomUUID()}`;
    const open = () => createS3BlobStorage({ client: s3.client(), bucket: s3.bucket, prefix });
    return { ...open(), reopen: async () => open(), cleanup: async () => undefined };
  },
  { restartable: true },
);
