import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseCacheRequest, SqsCacheRequests } from './cache-request-queue';
import { MalformedEventError } from './errors';

describe('SqsCacheRequests', () => {
  it('sends one message per request, which parseCacheRequest reads back', async () => {
    const sent: { QueueUrl?: string; MessageBody?: string }[] = [];
    const client = { send: async (command: { input: { QueueUrl?: string; MessageBody?: string } }) => void sent.push(command.input) } as unknown as SQSClient;
    const request = { registry: '000000000000:us-east-1', repository: 'hub/library/alpine', reference: '3' };

    await new SqsCacheRequests({ client, queueUrl: 'http://127.0.0.1:9324/queue/cache-syncer' }).request(request);

    expect(sent.map((input) => input.QueueUrl)).toEqual(['http://127.0.0.1:9324/queue/cache-syncer']);
    expect(parseCacheRequest({ messageId: 'm', body: sent[0]?.MessageBody ?? '' })).toEqual(request);
  });
});

describe('SqsCacheRequests with a delay', () => {
  it('holds a pull’s request back for the delay, so the puller’s own blob fills go first', async () => {
    const sent: { DelaySeconds?: number }[] = [];
    const client = { send: async (command: { input: { DelaySeconds?: number } }) => void sent.push(command.input) } as unknown as SQSClient;

    await new SqsCacheRequests({ client, queueUrl: 'http://127.0.0.1:9324/queue/cache-syncer', delaySeconds: 10 }).request({
      registry: 'r',
      repository: 'a',
      reference: '1',
    });

    expect(sent.map((input) => input.DelaySeconds)).toEqual([10]);
  });
});

describe('SqsCacheRequests.send', () => {
  it('sends many requests in SendMessageBatch calls of at most 10, each body a cache request', async () => {
    const batches: { Entries?: { MessageBody?: string }[] }[] = [];
    const client = {
      send: async (command: { input: { Entries?: { MessageBody?: string }[] } }) => (batches.push(command.input), { Failed: [] }),
    } as unknown as SQSClient;
    const requests = Array.from({ length: 12 }, (_, i) => ({ registry: '000000000000:us-east-1', repository: 'hub/library/alpine', reference: `t${i}` }));

    await new SqsCacheRequests({ client, queueUrl: 'http://127.0.0.1:9324/queue/cache-syncer' }).send(requests);

    expect(batches.map((batch) => batch.Entries?.length)).toEqual([10, 2]);
    expect(
      batches.flatMap((batch) => batch.Entries ?? []).map((entry, i) => parseCacheRequest({ messageId: String(i), body: entry.MessageBody ?? '' })),
    ).toEqual(requests);
  });
});

describe('parseCacheRequest', () => {
  it('refuses a body that is not a cache request, so its record fails and is dead-lettered', () => {
    expect(() => parseCacheRequest({ messageId: 'm', body: 'not json' })).toThrow(MalformedEventError);
    expect(() => parseCacheRequest({ messageId: 'm', body: '{"registry":"r","repository":"a"}' })).toThrow(MalformedEventError);
    expect(() => parseCacheRequest({ messageId: 'm', body: '{"registry":"r","repository":"a","reference":"1","extra":1}' })).toThrow(MalformedEventError);
  });
});
