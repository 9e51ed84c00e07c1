import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import type { InvokeOutcome, LambdaFunction } from './lambda-host';
import { startQueueSource } from './queue-source';
import { startStreamSource } from './stream-source';

/**
 * The two event source mappings aws:local emulates, over DynamoDB Local's real stream and the SQS
 * emulator, with functions that fail on purpose: what Lambda does with ReportBatchItemFailures.
 */

jest.setTimeout(60_000);

function recordingFunction<E>(answer: (event: E, call: number) => InvokeOutcome) {
  const events: E[] = [];
  const fn: LambdaFunction = {
    name: 'fake',
    invoke: async (event) => {
      events.push(event as E);
      return answer(event as E, events.length);
    },
    stop: async () => undefined,
  };
  return { fn, events };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let dynamodb: DynamoDbLocal;
let sqs: LocalSqs;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cargohold-event-sources-'));
  [dynamodb, sqs] = await Promise.all([startDynamoDbLocal(), startLocalSqs()]);
});

afterAll(async () => {
  await Promise.all([dynamodb?.stop(), sqs?.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('the table stream source', () => {
  const put = (table: string, sk: string) =>
    dynamodb.client.send(new PutItemCommand({ TableName: table, Item: { PK: { S: 'REPO#000000000000:us-east-1#app' }, SK: { S: sk } } }));
  const streamOf = async (table: string) => (await dynamodb.client.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn ?? '';
  const sortKeys = (event: DynamoDBStreamEvent) => event.Records.map((record) => record.dynamodb?.Keys?.['SK']?.S);

  it('hands over only filtered records, retries from the first reported failure, and resumes after its checkpoint', async () => {
    const table = await dynamodb.freshTable();
    const checkpointFile = join(work, 'checkpoints-1.json');
    const { queueUrl } = await sqs.queueWithDeadLetters('stream');
    // The first call fails from T#b on; later calls succeed.
    const forwarder = recordingFunction<DynamoDBStreamEvent>((event, call) => {
      const failed = event.Records.find((record) => record.dynamodb?.Keys?.['SK']?.S === 'T#b');
      return { ok: true, result: { batchItemFailures: call === 1 && failed ? [{ itemIdentifier: failed.dynamodb?.SequenceNumber }] : [] } };
    });
    for (const sk of ['T#a', 'SESSION#x', 'T#b', 'M#sha256:c']) await put(table, sk);
    const options = {
      endpoint: dynamodb.endpoint,
      streamArn: await streamOf(table),
      timeoutMs: 5_000,
      sqs: sqs.client,
      deadLetterQueueUrl: queueUrl,
      checkpointFile,
      pollMs: 20,
    };

    const source = await startStreamSource({ ...options, function: forwarder.fn });
    await until(() => forwarder.events.length >= 2);
    await source.stop();
    const restarted = await startStreamSource({ ...options, function: forwarder.fn });
    await put(table, 'T#d');
    await until(() => forwarder.events.length >= 3);
    await restarted.stop();

    expect(forwarder.events.map(sortKeys)).toEqual([['T#a', 'T#b', 'M#sha256:c'], ['T#b', 'M#sha256:c'], ['T#d']]);
    expect(forwarder.events[0]?.Records[0]).toMatchObject({ eventSource: 'aws:dynamodb', eventName: 'INSERT', eventSourceARN: options.streamArn });
    expect(JSON.parse(await readFile(checkpointFile, 'utf8'))).toMatchObject({ streamArn: options.streamArn });
  });

  it('sends a batch that keeps failing to the DLQ after 10 retries, and moves on', async () => {
    const table = await dynamodb.freshTable();
    const { queueUrl } = await sqs.queueWithDeadLetters('stream-dlq');
    const forwarder = recordingFunction<DynamoDBStreamEvent>(() => ({ ok: false, errorType: 'Error', errorMessage: 'always' }));
    await put(table, 'T#doomed');
    const streamArn = await streamOf(table);

    const source = await startStreamSource({
      endpoint: dynamodb.endpoint,
      streamArn,
      function: forwarder.fn,
      timeoutMs: 5_000,
      sqs: sqs.client,
      deadLetterQueueUrl: queueUrl,
      checkpointFile: join(work, 'checkpoints-2.json'),
      pollMs: 20,
    });
    await until(() => forwarder.events.length >= 11);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await source.stop();
    const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));

    expect(forwarder.events).toHaveLength(11);
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
      expect.objectContaining({ DDBStreamBatchInfo: expect.objectContaining({ streamArn, batchSize: 1 }) }),
    ]);
  });
});

describe('the worker queue source', () => {
  it('deletes what the function acknowledged and leaves its reported failures to come back', async () => {
    const { queueUrl } = await sqs.queueWithDeadLetters('worker', { visibilityTimeoutSeconds: 2, maxReceiveCount: 5 });
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'good' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'bad' }));
    const scanner = recordingFunction<SQSEvent>((event) => ({
      ok: true,
      result: { batchItemFailures: event.Records.filter((record) => record.body === 'bad').map((record) => ({ itemIdentifier: record.messageId })) },
    }));

    const source = await startQueueSource({ sqs: sqs.client, queueUrl, function: scanner.fn, timeoutMs: 5_000, batchSize: 5 });
    await until(() => scanner.events.flatMap((event) => event.Records).filter((record) => record.body === 'bad').length >= 2);
    await source.stop();

    const received = scanner.events.flatMap((event) => event.Records);
    expect(received.filter((record) => record.body === 'good')).toHaveLength(1);
    expect(received.filter((record) => record.body === 'bad').map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(received[0]).toMatchObject({ eventSource: 'aws:sqs', awsRegion: 'us-east-1', eventSourceARN: expect.stringMatching(/^arn:aws:sqs:/) });
  });
});
