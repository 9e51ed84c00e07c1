import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type AttributeValue as StreamValue,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** A table's stream read as Lambda's event source mapping reads it: every shard from TRIM_HORIZON, in order. */
export interface TableStream {
  /** The records written since the previous call, in Lambda's event shape. */
  next(): Promise<DynamoDBRecord[]>;
  stop(): void;
}

/** How long `next` waits for a first record before answering that the change wrote none. */
const QUIET_MS = 1_000;
const POLL_MS = 50;

export async function readTableStream(dynamodb: DynamoDBClient, endpoint: string, table: string): Promise<TableStream> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${table} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
  /** Shard id -> the iterator to read it from next (undefined once a closed shard is drained). */
  const iterators = new Map<string, string | undefined>();

  const discoverShards = async () => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const input = { StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' as const };
      iterators.set(shard.ShardId, (await streams.send(new GetShardIteratorCommand(input))).ShardIterator);
    }
  };
  const poll = async (): Promise<StreamRecord[]> => {
    await discoverShards();
    const records: StreamRecord[] = [];
    for (const [shard, iterator] of iterators) {
      if (iterator === undefined) continue;
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(out.Records ?? []));
      iterators.set(shard, out.NextShardIterator);
    }
    return records;
  };

  return {
    async next() {
      const records: StreamRecord[] = [];
      const deadline = Date.now() + QUIET_MS;
      // Until a poll after the first records comes back empty, or none arrive within QUIET_MS.
      for (;;) {
        const batch = await poll();
        records.push(...batch);
        if (batch.length === 0 && (records.length > 0 || Date.now() > deadline)) break;
        if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      return records.map((record) => toLambdaRecord(record, streamArn));
    },
    stop: () => streams.destroy(),
  };
}

/** What Lambda hands the function: the same record, dates as epoch seconds, binary as base64, the stream ARN added. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
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
