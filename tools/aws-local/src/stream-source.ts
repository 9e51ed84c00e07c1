import { readFile, writeFile } from 'node:fs/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { lambdaStreamRecord } from '@cargohold/events-aws/testing';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import type { LambdaFunction } from './lambda-host';
import { STREAM_BATCH_SIZE, STREAM_KEY_PREFIXES, STREAM_MAX_RETRIES } from './topology';

export interface StreamSourceOptions {
  readonly endpoint: string;
  readonly streamArn: string;
  readonly function: LambdaFunction;
  readonly timeoutMs: number;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  /** Where the position in each shard is kept, so a restart neither replays nor skips records. */
  readonly checkpointFile: string;
  readonly pollMs?: number;
}

interface Checkpoints {
  streamArn: string;
  /** Shard id → the last sequence number handed over (or skipped by the filter). */
  shards: Record<string, string>;
}

/**
 * The stream-forwarder's event source mapping (serverless.yml): the table stream read shard by shard
 * with GetRecords, from TRIM_HORIZON; records filtered on their sort key as `filterPatterns` does; batches
 * of up to 100 invoked with the real DynamoDB stream event. With ReportBatchItemFailures the function
 * answers the first record it did not forward: reading resumes there, up to 10 retries, after which the
 * batch's shard range goes to the stream DLQ (Lambda's on-failure destination record) and reading moves on.
 */
export async function startStreamSource(options: StreamSourceOptions): Promise<{ stop(): Promise<void> }> {
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
  const saved = await readCheckpoints(options.checkpointFile);
  const checkpoints: Checkpoints = saved?.streamArn === options.streamArn ? saved : { streamArn: options.streamArn, shards: {} };
  /** Shard id → the iterator to read next; null once a closed shard is drained. */
  const iterators = new Map<string, string | null>();
  const retries = new Map<string, number>();
  let stopped = false;

  const iteratorFor = async (shardId: string, type: ShardIteratorType, sequenceNumber?: string) =>
    (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: options.streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
        }),
      )
    ).ShardIterator ?? null;

  const discover = async () => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: options.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const id = shard.ShardId;
      if (!id || iterators.has(id)) continue;
      const last = checkpoints.shards[id];
      iterators.set(id, last ? await iteratorFor(id, 'AFTER_SEQUENCE_NUMBER', last) : await iteratorFor(id, 'TRIM_HORIZON'));
    }
  };

  const readShard = async (shardId: string, iterator: string) => {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: STREAM_BATCH_SIZE }));
    const records = out.Records ?? [];
    const matching = records.filter(passesFilter);
    if (matching.length === 0) {
      iterators.set(shardId, out.NextShardIterator ?? null);
      if (records.length > 0) await checkpoint(shardId, records.at(-1));
      return;
    }
    const failedAt = await deliver(matching);
    if (failedAt === undefined) {
      retries.delete(shardId);
      iterators.set(shardId, out.NextShardIterator ?? null);
      await checkpoint(shardId, records.at(-1));
      return;
    }
    const attempts = (retries.get(shardId) ?? 0) + 1;
    if (attempts > STREAM_MAX_RETRIES) {
      retries.delete(shardId);
      await deadLetter(shardId, matching);
      iterators.set(shardId, out.NextShardIterator ?? null);
      await checkpoint(shardId, records.at(-1));
      return;
    }
    retries.set(shardId, attempts);
    iterators.set(shardId, await iteratorFor(shardId, 'AT_SEQUENCE_NUMBER', failedAt));
  };

  /** Invokes the forwarder; answers the sequence number to retry from, if any. */
  const deliver = async (records: StreamRecord[]): Promise<string | undefined> => {
    const event = { Records: records.map((record) => lambdaStreamRecord(record, options.streamArn)) };
    const outcome = await options.function.invoke(event, options.timeoutMs);
    const first = records[0]?.dynamodb?.SequenceNumber;
    if (!outcome.ok) return first;
    const failures = (outcome.result as DynamoDBBatchResponse | null)?.batchItemFailures ?? [];
    return failures.length > 0 ? (failures[0]?.itemIdentifier ?? first) : undefined;
  };

  const deadLetter = async (shardId: string, records: StreamRecord[]) => {
    const body = {
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: STREAM_MAX_RETRIES + 1 },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
        endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber,
        batchSize: records.length,
        streamArn: options.streamArn,
      },
      timestamp: new Date().toISOString(),
    };
    await options.sqs.send(new SendMessageCommand({ QueueUrl: options.deadLetterQueueUrl, MessageBody: JSON.stringify(body) }));
  };

  const checkpoint = async (shardId: string, record: StreamRecord | undefined) => {
    const sequenceNumber = record?.dynamodb?.SequenceNumber;
    if (!sequenceNumber) return;
    checkpoints.shards[shardId] = sequenceNumber;
    await writeFile(options.checkpointFile, JSON.stringify(checkpoints));
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await discover();
        for (const [shardId, iterator] of iterators) if (iterator !== null && !stopped) await readShard(shardId, iterator);
      } catch (error) {
        if (!stopped) console.error('aws-local stream source:', (error as Error).message);
      }
      // serverless.yml batchWindow: 1 (seconds)
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      streams.destroy();
    },
  };
}

/** filterPatterns: the record's sort key starts with one of the prefixes. */
function passesFilter(record: StreamRecord): boolean {
  const sk = record.dynamodb?.Keys?.['SK']?.S ?? '';
  return STREAM_KEY_PREFIXES.some((prefix) => sk.startsWith(prefix));
}

async function readCheckpoints(file: string): Promise<Checkpoints | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Checkpoints;
  } catch {
    return undefined;
  }
}
