import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Layout } from './s3-layout';
import { S3MultipartSweeper } from './s3-multipart-sweeper';
import { S3Objects } from './s3-objects';

// s3rver answers NotImplemented to ListMultipartUploads, so the sweep is pinned against a mocked client.
describe('S3MultipartSweeper', () => {
  const s3 = mockClient(S3Client);
  const sweeper = new S3MultipartSweeper(new S3Objects(new S3Client({ region: 'us-east-1' }), 'bucket'), new S3Layout('stage'));
  const cutoff = new Date('2026-01-02T00:00:00Z');
  afterEach(() => s3.reset());

  it('aborts, page by page, the uploads under its prefix initiated before the cutoff, and no others', async () => {
    s3.on(ListMultipartUploadsCommand, { KeyMarker: undefined })
      .resolves({
        Uploads: [{ Key: 'stage/blobs/sha256/aa', UploadId: 'old-1', Initiated: new Date('2026-01-01T00:00:00Z') }],
        IsTruncated: true,
        NextKeyMarker: 'stage/blobs/sha256/aa',
        NextUploadIdMarker: 'old-1',
      })
      .on(ListMultipartUploadsCommand, { KeyMarker: 'stage/blobs/sha256/aa' })
      .resolves({
        Uploads: [
          { Key: 'stage/uploads/u/data-1', UploadId: 'old-2', Initiated: new Date('2026-01-01T12:00:00Z') },
          { Key: 'stage/uploads/v/data-1', UploadId: 'live', Initiated: new Date('2026-01-02T00:00:00Z') },
        ],
        IsTruncated: false,
      });
    s3.on(AbortMultipartUploadCommand).resolves({});

    expect(await sweeper.abortIncomplete(cutoff, false)).toBe(2);
    expect(s3.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input.Prefix)).toEqual(['stage/', 'stage/']);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input.UploadId)).toEqual(['old-1', 'old-2']);
  });

  it('only counts in a dry run', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({ Uploads: [{ Key: 'stage/blobs/sha256/aa', UploadId: 'old', Initiated: new Date(0) }] });
    expect(await sweeper.abortIncomplete(cutoff, true)).toBe(1);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toEqual([]);
  });

  it('sweeps nothing where the endpoint cannot list multipart uploads', async () => {
    s3.on(ListMultipartUploadsCommand).rejects(Object.assign(new Error('not implemented'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }));
    expect(await sweeper.abortIncomplete(cutoff, false)).toBe(0);
  });
});
