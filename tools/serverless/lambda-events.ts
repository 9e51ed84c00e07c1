// Lambda events the bundle specs invoke handlers with, shaped as AWS delivers them.

/** An API Gateway HTTP API (payload 2.0) request event. */
export function httpApiEvent(request: { method: string; path: string; routeKey: string; headers?: Record<string, string>; body?: string }) {
  const host = 'abcdef1234.execute-api.us-east-1.amazonaws.com';
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.path,
    rawQueryString: '',
    headers: { host, 'user-agent': 'docker/27.3.1', 'x-forwarded-proto': 'https', ...request.headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: host,
      domainPrefix: 'abcdef1234',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'docker/27.3.1' },
      requestId: 'bundle-check',
      routeKey: request.routeKey,
      stage: '$default',
      time: '29/Nov/2026:11:00:00 +0000',
      timeEpoch: 1795950000000,
    },
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: false,
  };
}

/** A tag INSERT as DynamoDB Streams hands it to Lambda (AWS's documented sample event, cargohold's item). */
export function streamRecord() {
  const digest = `sha256:${'a'.repeat(64)}`;
  const pk = { S: 'REPO#123456789012:us-east-1#team/app' };
  return {
    eventID: 'c4ca4238a0b923820dcc509a6f75849b',
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1795950000,
      Keys: { PK: pk, SK: { S: 'T#v1' } },
      NewImage: { PK: pk, SK: { S: 'T#v1' }, LSI1SK: { S: `TAGOF#${digest}#v1` }, digest: { S: digest }, tag: { S: 'v1' }, version: { N: '1' } },
      SequenceNumber: '4421584500000000017450439091',
      SizeBytes: 243,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/cargohold-dev/stream/2026-11-29T11:00:00.000',
  };
}

/** An SQS record as Lambda's event source mapping delivers it (AWS's documented sample). */
export function sqsRecord(messageId: string, body: string) {
  return {
    messageId,
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1795950000000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1795950000001',
    },
    messageAttributes: {},
    md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:cargohold-dev-worker',
    awsRegion: 'us-east-1',
  };
}

/** An EventBridge scheduled event, as the purge schedule delivers it. */
export function scheduledEvent() {
  return {
    version: '0',
    id: 'bundle-check',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-11-29T11:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/cargohold-dev-purge'],
    detail: {},
  };
}
