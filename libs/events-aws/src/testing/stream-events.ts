import { createHash } from 'node:crypto';
import type { _Record as StreamRecord, AttributeValue as StreamValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/**
 * DynamoDB Streams records shaped exactly like AWS's documented Lambda sample event (eventID, eventName,
 * eventVersion 1.1, eventSource aws:dynamodb, awsRegion, dynamodb{ApproximateCreationDateTime, Keys,
 * NewImage, OldImage, SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN), for specs that drive
 * stream consumers the way Lambda invokes them. Images are DynamoDB JSON, as the stream carries them.
 */
export interface StreamRecordInit {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage?: Record<string, AttributeValue>;
  readonly oldImage?: Record<string, AttributeValue>;
  /** Defaults to a 28-digit number like the ones streams hand out. */
  readonly sequenceNumber?: string;
  /** Epoch seconds. */
  readonly approximateCreationDateTime?: number;
  readonly eventID?: string;
}

export const SAMPLE_STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/cargohold-dev/stream/2026-01-01T00:00:00.000';

let counter = 0;

export function dynamoStreamRecord(init: StreamRecordInit): DynamoDBRecord {
  const image = init.newImage ?? init.oldImage;
  if (!image?.['PK'] || !image['SK']) throw new Error('a stream record needs an image with PK and SK');
  const sequenceNumber = init.sequenceNumber ?? `${4421584500000000017450439091n + BigInt(++counter)}`;
  const json = (value: unknown) => JSON.stringify(value ?? null);
  return {
    eventID: init.eventID ?? createHash('md5').update(sequenceNumber).digest('hex'),
    eventName: init.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: init.approximateCreationDateTime ?? 1795950000,
      Keys: { PK: image['PK'], SK: image['SK'] },
      ...(init.newImage ? { NewImage: init.newImage } : {}),
      ...(init.oldImage ? { OldImage: init.oldImage } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: json(init.newImage).length + json(init.oldImage).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: SAMPLE_STREAM_ARN,
  };
}

export function dynamoStreamEvent(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: [...records] };
}

/**
 * A record read with GetRecords as Lambda's event source mapping hands it to the function: the same
 * record, dates as epoch seconds, binary as base64, the stream ARN added.
 */
export function lambdaStreamRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const image = (item: Record<string, StreamValue> | undefined) =>
    item && Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toLambdaValue(value)]));
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(change.ApproximateCreationDateTime && { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) }),
      Keys: image(change.Keys),
      ...(change.NewImage && { NewImage: image(change.NewImage) }),
      ...(change.OldImage && { OldImage: image(change.OldImage) }),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
}

function toLambdaValue(value: StreamValue): AttributeValue {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([name, inner]) => [name, toLambdaValue(inner)])) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  return value as AttributeValue;
}
