import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { newEvent, type RegistryEvent } from '@cargohold/events';
import { mockClient } from 'aws-sdk-client-mock';
import { EventPublishError } from './errors';
import { EventBridgePublisher } from './eventbridge-publisher';

// No EventBridge emulator exists here: the one mocked client. The assertions are on the exact PutEvents
// entries, which is all EventBridge sees.
const eventBridge = mockClient(EventBridgeClient);
const BUS = 'cargohold-dev';
const AT = new Date('2026-11-29T11:00:00.123Z');
const D1 = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

const pushed = (n: number, tags: string[] = ['v1']): RegistryEvent =>
  newEvent(
    'image.pushed',
    { registry: '123456789012:us-east-1', repository: 'team/app', digest: D1, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags },
    AT,
    `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  );

const publisher = () =>
  new EventBridgePublisher({ client: new EventBridgeClient({ region: 'us-east-1' }), eventBusName: BUS, retry: { attempts: 3, baseDelayMs: 1 } });

beforeEach(() => eventBridge.reset());

describe('EventBridgePublisher', () => {
  describe('publish', () => {
    it('puts one ECR Image Action entry per tag on the bus, as ECR shapes it', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });

      await publisher().publish([pushed(1, ['v1', 'latest'])]);

      expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input)).toEqual([
        {
          Entries: ['v1', 'latest'].map((tag) => ({
            EventBusName: BUS,
            Source: 'aws.ecr',
            DetailType: 'ECR Image Action',
            Detail: JSON.stringify({ result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': D1, 'action-type': 'PUSH', 'image-tag': tag }),
            Resources: [],
            // ECR's event times have second precision (toEcrEvents).
            Time: new Date('2026-11-29T11:00:00Z'),
          })),
        },
      ]);
    });

    it("publishes under the deployment's own source when one is set (EventBridge reserves aws.*)", async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
      const custom = new EventBridgePublisher({ client: new EventBridgeClient({ region: 'us-east-1' }), eventBusName: BUS, source: 'cargohold.ecr' });

      await custom.publish([pushed(1)]);

      const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
      expect(entry).toMatchObject({ Source: 'cargohold.ecr', DetailType: 'ECR Image Action' });
    });

    it('sends batches of at most 10 entries', async () => {
      eventBridge
        .on(PutEventsCommand)
        .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));

      await publisher().publish(Array.from({ length: 23 }, (_, n) => pushed(n)));

      expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    });

    it('publishes nothing for events with no ECR counterpart', async () => {
      const scanRequested = newEvent(
        'image.scan-requested',
        { registry: '123456789012:us-east-1', repository: 'team/app', digest: D1, reason: 'push' },
        AT,
        '00000000-0000-4000-8000-000000000009',
      );

      await publisher().publish([scanRequested]);

      expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
    });

    it('re-sends only the entries that failed with a retryable code', async () => {
      eventBridge
        .on(PutEventsCommand)
        .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'c' }] })
        .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });

      await publisher().publish([pushed(1), pushed(2), pushed(3)]);

      const calls = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.map((entry) => entry.Detail));
      expect(calls).toHaveLength(2);
      expect(calls[1]).toEqual([calls[0]?.[1]]);
    });

    it('names the events still failing after the retry budget, and never retries a final error', async () => {
      eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
        FailedEntryCount: input.Entries.length,
        Entries: input.Entries.map((_, index) =>
          index === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' } : { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'no' },
        ),
      }));

      const failure = await publisher()
        .publish([pushed(1), pushed(2)])
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(EventPublishError);
      expect((failure as EventPublishError).failedEventIds).toEqual([pushed(2).id, pushed(1).id]);
      expect((failure as EventPublishError).message).toContain('NotAuthorizedForSourceException');
      // attempt 1: both; attempts 2 and 3: the retryable one only.
      expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([2, 1, 1]);
    });

    it('refuses an entry over 256 KiB without sending it, and still sends the others', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
      const huge = pushed(2, ['x'.repeat(300 * 1024)]);

      const failure = await publisher()
        .publish([pushed(1), huge])
        .catch((error: unknown) => error);

      expect((failure as EventPublishError).failedEventIds).toEqual([huge.id]);
      expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([1]);
    });

    it('reports every event of a batch whose call failed outright', async () => {
      eventBridge.on(PutEventsCommand).rejects(new Error('socket hang up'));

      const failure = await publisher()
        .publish([pushed(1), pushed(2)])
        .catch((error: unknown) => error);

      expect((failure as EventPublishError).failedEventIds).toEqual([pushed(1).id, pushed(2).id]);
    });
  });
});
