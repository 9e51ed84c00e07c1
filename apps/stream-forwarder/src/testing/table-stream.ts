import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { lambdaStreamRecord } from '@cargohold/events-aws/testing';
import type { DynamoDBRecord } from 'aws-lambda';

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
      return records.map((record) => lambdaStreamRecord(record, streamArn));
    },
    stop: () => streams.destroy(),
  };
}
