import { createHash } from 'node:crypto';
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
