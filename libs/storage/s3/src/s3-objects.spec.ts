import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { isConditionFailed } from './s3-errors';
import { S3Objects } from './s3-objects';

const GiB = 1024 * 1024 * 1024;

// s3rver lacks UploadPartCopy and conditional writes, so these paths are pinned against a mocked client.
describe('S3Objects', () => {
  const s3 = mockClient(S3Client);
  const objects = new S3Objects(new S3Client({ region: 'us-east-1' }), 'bucket');
  afterEach(() => s3.reset());

  describe('copy', () => {
    it('uses one CopyObject up to 5 GiB', async () => {
      s3.on(CopyObjectCommand).resolves({});
      await objects.copy('uploads/x/data-1', 'blobs/sha256/ab', 5 * GiB);
      expect(s3.commandCalls(CopyObjectCommand)[0]?.args[0].input).toMatchObject({
        Bucket: 'bucket',
        Key: 'blobs/sha256/ab',
        CopySource: 'bucket/uploads/x/data-1',
      });
    });

    it('copies a larger object as even UploadPartCopy ranges of at most 5 GiB', async () => {
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
      s3.on(UploadPartCopyCommand).callsFake((input: { PartNumber: number }) => ({ CopyPartResult: { ETag: `"e${input.PartNumber}"` } }));
      s3.on(CompleteMultipartUploadCommand).resolves({});
      const size = 12 * GiB + 1;

      await objects.copy('src', 'dst', size);

      const ranges = s3.commandCalls(UploadPartCopyCommand).map((call) => call.args[0].input.CopySourceRange);
      expect(ranges).toEqual([`bytes=0-${4 * GiB}`, `bytes=${4 * GiB + 1}-${8 * GiB + 1}`, `bytes=${8 * GiB + 2}-${12 * GiB}`]);
      expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
      expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.MultipartUpload?.Parts).toEqual([
        { PartNumber: 1, ETag: '"e1"' },
        { PartNumber: 2, ETag: '"e2"' },
        { PartNumber: 3, ETag: '"e3"' },
      ]);
    });
  });

  describe('put', () => {
    it('sends If-Match, and a lost conditional write is recognisable behind the boundary', async () => {
      s3.on(PutObjectCommand).rejects(Object.assign(new Error('At least one of the pre-conditions failed'), { name: 'PreconditionFailed' }));
      const error = await objects.put('uploads/x/state.json', Buffer.from('{}'), { ifMatch: '"abc"' }).catch((e: unknown) => e);
      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.IfMatch).toBe('"abc"');
      expect(isConditionFailed(error)).toBe(true);
    });
  });
});
