import { operationOf } from './operations';

const s3 = (method: string, url: string, headers: Record<string, string> = {}) => operationOf({ method, url, headers });

describe('operationOf', () => {
  it('names S3 object operations from the method, the sub-resources and x-amz-copy-source', () => {
    expect(s3('PUT', '/bucket/blobs/sha256/ab')).toBe('PutObject');
    expect(s3('PUT', '/bucket/blobs/sha256/ab?x-id=PutObject')).toBe('PutObject');
    expect(s3('PUT', '/bucket/blobs/sha256/ab', { 'x-amz-copy-source': 'bucket/uploads/1' })).toBe('CopyObject');
    expect(s3('POST', '/bucket/uploads/1?uploads')).toBe('CreateMultipartUpload');
    expect(s3('PUT', '/bucket/uploads/1?partNumber=2&uploadId=u')).toBe('UploadPart');
    expect(s3('PUT', '/bucket/uploads/1?partNumber=2&uploadId=u', { 'x-amz-copy-source': 'bucket/x' })).toBe('UploadPartCopy');
    expect(s3('POST', '/bucket/uploads/1?uploadId=u')).toBe('CompleteMultipartUpload');
    expect(s3('DELETE', '/bucket/uploads/1?uploadId=u')).toBe('AbortMultipartUpload');
    expect(s3('GET', '/bucket/blobs/sha256/ab')).toBe('GetObject');
    expect(s3('HEAD', '/bucket/blobs/sha256/ab')).toBe('HeadObject');
    expect(s3('DELETE', '/bucket/blobs/sha256/ab')).toBe('DeleteObject');
  });

  it('names S3 bucket operations', () => {
    expect(s3('GET', '/bucket?list-type=2&max-keys=1')).toBe('ListObjectsV2');
    expect(s3('PUT', '/bucket')).toBe('CreateBucket');
    expect(s3('HEAD', '/bucket/')).toBe('HeadBucket');
  });

  it('names JSON-protocol operations from X-Amz-Target', () => {
    expect(s3('POST', '/', { 'x-amz-target': 'DynamoDB_20120810.TransactWriteItems' })).toBe('TransactWriteItems');
    expect(s3('POST', '/', { 'x-amz-target': 'AmazonSQS.ReceiveMessage' })).toBe('ReceiveMessage');
    expect(s3('POST', '/', { 'x-amz-target': 'AWSEvents.PutEvents' })).toBe('PutEvents');
  });
});
