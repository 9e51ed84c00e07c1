// The stream record the bundle specs invoke the stream forwarder with (HTTP, SQS and schedule events come
// from @cargohold/lambda-kit/testing).

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
