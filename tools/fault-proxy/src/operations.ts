/** The parts of an HTTP request that name the AWS operation it carries. */
export interface RequestLine {
  readonly method: string;
  /** Path and query as sent: `/bucket/key?partNumber=1&uploadId=…`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const header = (request: RequestLine, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The operation a request carries, as the SDK names it (`PutObject`, `UploadPart`, `TransactWriteItems`,
 * `ReceiveMessage`, …). JSON protocols (DynamoDB, SQS, EventBridge) name it in `X-Amz-Target`
 * (`DynamoDB_20120810.PutItem`); S3's REST protocol in the method, the query's sub-resources
 * (`?uploads`, `?uploadId=`, `?partNumber=`) and `x-amz-copy-source`.
 */
export function operationOf(request: RequestLine): string {
  const target = header(request, 'x-amz-target');
  if (target !== undefined) return target.slice(target.lastIndexOf('.') + 1);
  return s3OperationOf(request);
}

function s3OperationOf(request: RequestLine): string {
  const [path = '/', search = ''] = request.url.split('?', 2);
  const query = new URLSearchParams(search);
  // Path-style: `/bucket` or `/bucket/` addresses the bucket, `/bucket/key…` an object.
  const onObject = path.replace(/^\/+/, '').includes('/') && !path.replace(/^\/+/, '').endsWith('/');
  const copy = header(request, 'x-amz-copy-source') !== undefined;
  switch (request.method) {
    case 'PUT':
      if (!onObject) return 'CreateBucket';
      if (query.has('partNumber') && query.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      if (query.has('delete')) return 'DeleteObjects';
      return 'PostObject';
    case 'DELETE':
      if (query.has('uploadId')) return 'AbortMultipartUpload';
      return onObject ? 'DeleteObject' : 'DeleteBucket';
    case 'HEAD':
      return onObject ? 'HeadObject' : 'HeadBucket';
    case 'GET':
      if (!onObject) return query.get('list-type') === '2' ? 'ListObjectsV2' : query.has('uploads') ? 'ListMultipartUploads' : 'ListObjects';
      if (query.has('uploadId')) return 'ListParts';
      return 'GetObject';
    default:
      return `${request.method} (unknown)`;
  }
}
