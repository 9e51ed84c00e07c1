import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { newEvent, type RegistryEvent } from '@cargohold/events';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventPublishError, MalformedEventError } from './errors';
import { parseSqsEvent, sqsEventConsumer } from './sqs-event-consumer';
import { SqsEventPublisher } from './sqs-event-publisher';
import { startLocalSqs, type LocalSqs } from './testing/local-sqs';

/*
 * Against local-aws-sqs on 127.0.0.1: the publisher's messages are received and consumed the way the
 * Lambda SQS event source does it (receive, invoke, delete what succeeded, let the rest become visible
 * again), and a poison message reaches the dead-letter queue through the queue's RedrivePolicy.
 */
let sqs: LocalSqs;

beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await sqs?.stop();
});

const AT = new Date('2026-11-29T11:00:00.000Z');
const D1 = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const pushed = (n: number): RegistryEvent =>
  newEvent(
    'image.pushed',
    { registry: '123456789012:us-east-1', repository: 'team/app', digest: D1, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: [`v${n}`] },
    AT,
    `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  );

const context = { functionName: 'spec', awsRequestId: 'spec' } as Context;

async function receiveAll(queueUrl: string, visibilityTimeout = 30): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibilityTimeout }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

/** What the Lambda event source hands a function: SQS messages as records. */
function sqsEvent(messages: readonly Message[], queueUrl: string): SQSEvent {
  return {
    Records: messages.map((message): SQSRecord => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(AT.getTime()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(AT.getTime()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queueUrl.split('/').pop() ?? ''}`,
      awsRegion: 'us-east-1',
    })),
  };
}

describe('SqsEventPublisher', () => {
  describe('publish', () => {
    it('puts one message per event, its body the event JSON, in batches the queue accepts', async () => {
      const { queueUrl } = await sqs.queueWithDeadLetters('publish');
      const events = Array.from({ length: 23 }, (_, n) => pushed(n));

      await new SqsEventPublisher({ client: sqs.client, queueUrl }).publish(events);

      const received = await receiveAll(queueUrl);
      expect(
        received.map((message) => parseSqsEvent({ messageId: message.MessageId ?? '', body: message.Body ?? '' })).sort((a, b) => a.id.localeCompare(b.id)),
      ).toEqual(events);
    });

    it('re-sends the entries SQS failed without a sender fault, and reports those failed by the sender', async () => {
      const { queueUrl } = await sqs.queueWithDeadLetters('retry');
      const client = sqs.newClient();
      // The emulator never fails single entries: in the first call, entry 1 fails as a server fault (SQS
      // reports it in `Failed` with SenderFault false) and entry 2 as the sender's fault.
      const calls = failEntries(client, (call): Record<string, boolean> => (call === 1 ? { '1': false, '2': true } : {}));

      const failure = await new SqsEventPublisher({ client, queueUrl, retry: { attempts: 3, baseDelayMs: 1 } })
        .publish([pushed(1), pushed(2), pushed(3)])
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(EventPublishError);
      expect((failure as EventPublishError).failedEventIds).toEqual([pushed(3).id]);
      expect(calls()).toBe(2);
      const ids = (await receiveAll(queueUrl)).map((message) => parseSqsEvent({ messageId: '', body: message.Body ?? '' }).id);
      expect(ids.sort()).toEqual([pushed(1).id, pushed(2).id]);
    });

    it('does nothing for no events', async () => {
      const { queueUrl } = await sqs.queueWithDeadLetters('empty');

      await new SqsEventPublisher({ client: sqs.client, queueUrl }).publish([]);

      expect(await receiveAll(queueUrl)).toEqual([]);
    });
  });
});

/** Makes SendMessageBatch report the planned entries (Id → SenderFault) as failed, without sending them. */
function failEntries(client: SQSClient, plan: (call: number) => Record<string, boolean>): () => number {
  let call = 0;
  type Args = { input: SendMessageBatchCommandInput };
  type Result = { output: SendMessageBatchCommandOutput };
  const middleware = (next: (args: Args) => Promise<Result>) => async (args: Args) => {
    const faults = plan(++call);
    const entries = args.input.Entries ?? [];
    const sent = entries.filter((entry) => !(String(entry.Id) in faults));
    const result =
      sent.length > 0
        ? await next({ ...args, input: { ...args.input, Entries: sent } })
        : { output: { Successful: [], Failed: [] } as unknown as SendMessageBatchCommandOutput };
    const injected = entries
      .filter((entry) => String(entry.Id) in faults)
      .map((entry) => ({ Id: entry.Id, SenderFault: faults[String(entry.Id)], Code: 'Injected', Message: 'injected by the spec' }));
    return { ...result, output: { ...result.output, Failed: [...(result.output.Failed ?? []), ...injected] } };
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'spec-fail-entries' } as never);
  return () => call;
}

describe('parseSqsEvent', () => {
  it('refuses a body that is not JSON, or JSON that is not a registry event', () => {
    expect(() => parseSqsEvent({ messageId: 'm1', body: 'not json' })).toThrow(MalformedEventError);
    expect(() => parseSqsEvent({ messageId: 'm2', body: JSON.stringify({ ...pushed(1), type: 'image.exploded' }) })).toThrow(MalformedEventError);
  });
});

describe('sqsEventConsumer', () => {
  it('hands each event to the handler and reports only the failed records', async () => {
    const { queueUrl } = await sqs.queueWithDeadLetters('consume');
    await new SqsEventPublisher({ client: sqs.client, queueUrl }).publish([pushed(1), pushed(2), pushed(3)]);
    const handled: string[] = [];
    const consumer = sqsEventConsumer(
      async (event) => {
        const tag = event.type === 'image.pushed' ? event.tags[0] : undefined;
        if (tag === 'v2') throw new Error('scanner unavailable');
        handled.push(tag ?? '');
      },
      { onFailure: () => undefined },
    );
    const messages = await receiveAll(queueUrl);

    const response = await consumer(sqsEvent(messages, queueUrl), context);

    expect(handled.sort()).toEqual(['v1', 'v3']);
    const failedBody = messages.find((message) => message.MessageId === response.batchItemFailures[0]?.itemIdentifier)?.Body ?? '';
    expect(response.batchItemFailures).toHaveLength(1);
    expect(JSON.parse(failedBody)).toMatchObject({ tags: ['v2'] });
  });

  it('fails a malformed message on every receive until the redrive policy moves it to the dead-letter queue', async () => {
    const { queueUrl, deadLetterQueueUrl } = await sqs.queueWithDeadLetters('poison', { maxReceiveCount: 2 });
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"type":"image.pushed","id":"not-a-uuid"}' }));
    await new SqsEventPublisher({ client: sqs.client, queueUrl }).publish([pushed(7)]);
    const handled: string[] = [];
    const failures: unknown[] = [];
    const consumer = sqsEventConsumer(async (event) => void handled.push(event.id), { onFailure: (reason) => failures.push(reason) });

    // The event source's loop: receive, invoke, delete the successes; failures reappear after the
    // visibility timeout (1 s here) until received maxReceiveCount times. (local-aws-sqs answers a
    // receive with VisibilityTimeout 0 with the same message several times, hence not 0.)
    for (let round = 0; round < 4; round++) {
      if (round > 0) await sleep(1_100);
      const { Messages: messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }),
      );
      if (messages.length === 0) break;
      const { batchItemFailures } = await consumer(sqsEvent(messages, queueUrl), context);
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      for (const message of messages.filter((m) => !failed.has(m.MessageId ?? ''))) {
        await sqs.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }

    expect(handled).toEqual([pushed(7).id]);
    expect(failures).toHaveLength(2);
    expect(failures.every((reason) => reason instanceof MalformedEventError)).toBe(true);
    expect(await receiveAll(queueUrl)).toEqual([]);
    const dead = await receiveAll(deadLetterQueueUrl);
    expect(dead.map((message) => message.Body)).toEqual(['{"type":"image.pushed","id":"not-a-uuid"}']);
  });
});
