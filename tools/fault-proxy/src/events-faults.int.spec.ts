import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { newEvent, type RegistryEvent } from '@cargohold/events';
import { EventBridgePublisher, sqsEventConsumer, SqsEventPublisher } from '@cargohold/events-aws';
import { startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import type { Context, SQSEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { jsonAnswer } from './faults';
import { FaultSchedule, faultSeed } from './schedule';

/*
 * Events under faults: SQS (local-aws-sqs behind the proxy) delivering a message twice and out of order,
 * a consumer failing part of a batch or dying with the whole batch, and EventBridge (no emulator exists:
 * the proxy answers PutEvents itself) accepting only part of a batch. Consumers are idempotent and
 * partial batch failures return only what failed, so each event's effect lands exactly once.
 */
jest.setTimeout(60_000);

const seed = faultSeed();
const schedule = new FaultSchedule(seed);
let sqs: LocalSqs;
let proxy: FaultProxy;
let consumerClient: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs();
  proxy = await startFaultProxy({ upstream: sqs.endpoint, schedule });
  consumerClient = new SQSClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
});

afterEach(() => schedule.clear());

afterAll(async () => {
  consumerClient?.destroy();
  await proxy?.stop();
  await sqs?.stop();
});

const AT = new Date('2026-12-04T06:00:00.000Z');
const DIGEST = `sha256:${'1'.repeat(64)}`;
const pushed = (n: number): RegistryEvent =>
  newEvent(
    'image.pushed',
    { registry: '123456789012:us-east-1', repository: 'team/app', digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: [`v${n}`] },
    AT,
    `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  );

const context = { functionName: 'faults', awsRequestId: 'faults' } as Context;

function sqsEvent(messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(AT.getTime()),
        SenderId: 'faults',
        ApproximateFirstReceiveTimestamp: String(AT.getTime()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:faults',
      awsRegion: 'us-east-1',
    })),
  };
}

/** The first ReceiveMessage answers its messages in reverse order, the first of them twice. */
const duplicateAndReorder = (body: Buffer): Buffer => {
  const answer = JSON.parse(body.toString('utf8')) as { Messages?: unknown[] };
  const messages = [...(answer.Messages ?? [])].reverse();
  return Buffer.from(JSON.stringify({ ...answer, Messages: messages.length > 0 ? [...messages, messages[0]] : messages }));
};

/**
 * The Lambda event source's loop through the proxy: receive, invoke, delete what succeeded (unless the
 * invocation died), until the queue stays empty. Answers the event ids of each round's deliveries.
 */
async function drain(queueUrl: string, invoke: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | 'died'>) {
  const rounds: string[][] = [];
  for (let idle = 0; idle < 2;) {
    const { Messages: messages = [] } = await consumerClient.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }),
    );
    if (messages.length === 0) {
      idle++;
      await sleep(1_100);
      continue;
    }
    idle = 0;
    rounds.push(messages.map((message) => (JSON.parse(message.Body ?? '{}') as { id: string }).id));
    const outcome = await invoke(sqsEvent(messages));
    if (outcome === 'died') continue;
    const failed = new Set(outcome.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const message of messages.filter((m) => !failed.has(m.MessageId ?? ''))) {
      await consumerClient.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return rounds;
}

describe('SQS', () => {
  it('delivering a message twice and out of order, to a consumer failing one record mid-batch: only that record returns, and every event is handled', async () => {
    const { queueUrl } = await sqs.queueWithDeadLetters('faults', { visibilityTimeoutSeconds: 1 });
    const events = [1, 2, 3, 4, 5].map(pushed);
    await new SqsEventPublisher({ client: sqs.client, queueUrl }).publish(events);
    schedule.add({ operation: 'ReceiveMessage', fault: { kind: 'rewrite', rewrite: duplicateAndReorder }, times: 1 });
    // An idempotent consumer (a projection keyed by event id) whose first try at event 3 fails.
    const applied = new Map<string, number>();
    let crashed = false;
    const consumer = sqsEventConsumer(
      async (event) => {
        if (event.id === pushed(3).id && !crashed) {
          crashed = true;
          throw new Error('scanner crashed');
        }
        applied.set(event.id, (applied.get(event.id) ?? 0) + 1);
      },
      { onFailure: () => undefined },
    );

    const rounds = await drain(queueUrl, (event) => consumer(event, context));

    expect(rounds[0]).toEqual(
      [...events]
        .reverse()
        .map((e) => e.id)
        .concat(pushed(5).id),
    );
    // Only the failed record came back.
    expect(rounds.slice(1).flat()).toEqual([pushed(3).id]);
    expect([...applied.keys()].sort()).toEqual(events.map((e) => e.id).sort());
    // The duplicate was handled again (at-least-once), harmlessly: the handler is idempotent by event id.
    expect(applied.get(pushed(5).id)).toBe(2);
  });

  it('with a consumer that dies with the whole batch: the batch returns whole and is handled on the next delivery', async () => {
    const { queueUrl } = await sqs.queueWithDeadLetters('faults-died', { visibilityTimeoutSeconds: 1 });
    const events = [6, 7, 8].map(pushed);
    await new SqsEventPublisher({ client: sqs.client, queueUrl }).publish(events);
    const applied = new Set<string>();
    const consumer = sqsEventConsumer(async (event) => void applied.add(event.id));
    let deaths = 0;

    const rounds = await drain(queueUrl, async (event) => {
      if (deaths++ === 0) return 'died';
      return consumer(event, context);
    });

    expect(rounds).toHaveLength(2);
    expect([...(rounds[1] ?? [])].sort()).toEqual(events.map((e) => e.id).sort());
    expect([...applied].sort()).toEqual(events.map((e) => e.id).sort());
  });
});

describe('EventBridge PutEvents', () => {
  it('answering a partial failure: only the failed entries are sent again, and then every event is on the bus', async () => {
    const bus = await startFaultProxy({ schedule });
    const accepted: string[] = [];
    const calls: number[] = [];
    let first = true;
    schedule.add({
      operation: 'PutEvents',
      fault: {
        kind: 'respond',
        respond: (body) => {
          const { Entries } = JSON.parse(body.toString('utf8')) as { Entries: { Detail: string }[] };
          calls.push(Entries.length);
          // The first call refuses its second entry (throttled); every later call accepts all.
          const results = Entries.map((entry, index) => {
            if (first && index === 1) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
            accepted.push(entry.Detail);
            return { EventId: `e-${accepted.length}` };
          });
          first = false;
          return jsonAnswer(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
        },
      },
    });
    const client = new EventBridgeClient({ endpoint: bus.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
    try {
      await new EventBridgePublisher({ client, eventBusName: 'faults', retry: { baseDelayMs: 10 } }).publish([pushed(1), pushed(2), pushed(3)]);
    } finally {
      client.destroy();
      await bus.stop();
    }

    expect(calls).toEqual([3, 1]);
    expect(accepted).toHaveLength(3);
    expect(new Set(accepted.map((detail) => (JSON.parse(detail) as { 'image-tag': string })['image-tag']))).toEqual(new Set(['v1', 'v2', 'v3']));
  });
});
