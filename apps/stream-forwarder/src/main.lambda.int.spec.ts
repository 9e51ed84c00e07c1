import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { parseSqsEvent } from '@cargohold/events-aws';
import { dynamoStreamEvent, startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import { newEvent, type RegistryEvent } from '@cargohold/events';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import type { ManifestRecord, ManifestStore, ScanStore } from '@cargohold/storage-ports';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readTableStream, type TableStream } from './testing/table-stream';

/*
 * The Lambda handler as AWS invokes it, against local-aws-sqs (the worker queue) and a mocked EventBridge
 * (no emulator exists). The records are DynamoDB Local's own stream records of the adapter's writes, read
 * as Lambda's event source mapping reads them (every shard from TRIM_HORIZON, GetRecords in order) and
 * handed over in Lambda's event shape (testing/table-stream.ts); edge cases (an unreadable record) are
 * derived from them by hand.
 */
type Handler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const eventBridge = mockClient(EventBridgeClient);
const REPO = { registry: '123456789012:us-east-1', name: 'team/app' };
const digest = (c: string) => `sha256:${c.repeat(64)}` as ManifestRecord['digest'];
const record = (d: string): ManifestRecord => ({
  digest: digest(d),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 1234,
  blobs: [digest('c'), digest('d')],
  children: [],
  configMediaType: 'application/vnd.oci.image.config.v1+json',
  imageSizeBytes: 31457280,
  pushedAt: new Date('2026-11-29T11:00:00Z'),
});
const context = { functionName: 'stream-forwarder', awsRequestId: 'spec' } as Context;

let sqs: LocalSqs;
let dynamoDb: DynamoDbLocal;
let queueUrl: string;
let handler: Handler;
let table: string;
let manifests: ManifestStore;
let scans: ScanStore;
let stream: TableStream;

beforeAll(async () => {
  [sqs, dynamoDb] = await Promise.all([startLocalSqs(), startDynamoDbLocal()]);
  ({ queueUrl } = await sqs.queueWithDeadLetters('worker'));
  Object.assign(process.env, {
    EVENT_BUS_NAME: 'cargohold-dev',
    WORKER_QUEUE_URL: queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'fake',
    AWS_SECRET_ACCESS_KEY: 'fake',
    LOG_LEVEL: 'silent',
  });
  ({ handler } = (await import('./main.lambda')) as unknown as { handler: Handler });
  table = await dynamoDb.freshTable();
  const metadata = createDynamoMetadata({ client: dynamoDb.client, table });
  manifests = metadata.manifests;
  scans = metadata.scans;
  // Manifests need their blobs linked in the repository (the store checks the closure).
  for (const blob of ['c', 'd']) await metadata.links.link(REPO, digest(blob), 1, new Date(0));
  stream = await readTableStream(dynamoDb.client, dynamoDb.endpoint, table);
  await stream.next();
});
afterAll(async () => {
  stream?.stop();
  await Promise.all([sqs?.stop(), dynamoDb?.stop()]);
});
beforeEach(() => {
  eventBridge.reset();
  eventBridge
    .on(PutEventsCommand)
    .callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
});

/** Runs `change` on the real table and answers the records it wrote to the table's stream. */
async function streamOf(change: () => Promise<unknown>): Promise<DynamoDBRecord[]> {
  await change();
  return stream.next();
}

async function workerQueue(): Promise<RegistryEvent[]> {
  const events: RegistryEvent[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (Messages.length === 0) return events;
    events.push(...Messages.map((m) => parseSqsEvent({ messageId: m.MessageId ?? '', body: m.Body ?? '' })));
  }
}

const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
/** [type, digest, tags] of each event, in a fixed order (a standard queue does not keep order). */
const summary = (events: RegistryEvent[]) => events.map((e) => [e.type, e.digest, 'tags' in e ? e.tags : []]).sort(byJson);
const busEntries = () => eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

describe('stream-forwarder handler', () => {
  it('forwards a tagged push, a tag move and an untagged push to the bus (ECR shapes) and the worker queue', async () => {
    const records = [
      ...(await streamOf(() => manifests.put(REPO, record('a'), ['v1']))),
      ...(await streamOf(() => manifests.put(REPO, record('b'), ['v1']))),
      ...(await streamOf(() => manifests.put(REPO, record('e'), []))),
    ];

    const response = await handler(dynamoStreamEvent(records), context);

    expect(response).toEqual({ batchItemFailures: [] });
    // One push event per tag a push names; an untagged push event only for the manifest pushed without tags.
    const expected = [
      ['image.pushed', digest('a'), ['v1']],
      ['image.pushed', digest('b'), ['v1']],
      ['image.pushed', digest('e'), []],
    ];
    expect(summary(await workerQueue())).toEqual(expected.sort(byJson));
    const details = busEntries().map((entry) => {
      expect(entry).toMatchObject({ EventBusName: 'cargohold-dev', Source: 'aws.ecr', DetailType: 'ECR Image Action' });
      return JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>;
    });
    expect(details).toHaveLength(3);
    expect(details).toContainEqual({ result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': digest('b'), 'action-type': 'PUSH', 'image-tag': 'v1' });
  });

  it('forwards a delete as the tags removed, then the manifest removed', async () => {
    await streamOf(() => manifests.put(REPO, record('f'), ['gone']));
    await workerQueue();
    const records = await streamOf(() => manifests.delete(REPO, digest('f')));

    const response = await handler(dynamoStreamEvent(records), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(records.map((r) => [r.eventName, r.dynamodb?.Keys?.['SK']?.S])).toEqual([
      ['REMOVE', 'T#gone'],
      ['REMOVE', `M#${digest('f')}`],
    ]);
    expect(summary(await workerQueue())).toEqual(
      [
        ['image.deleted', digest('f'), []],
        ['image.deleted', digest('f'), ['gone']],
      ].sort(byJson),
    );
  });

  it('gives a redelivered batch the same event ids (consumers deduplicate by id)', async () => {
    const records = await streamOf(() => manifests.put(REPO, record('1'), ['r1']));

    await handler(dynamoStreamEvent(records), context);
    await handler(dynamoStreamEvent(records), context);

    const ids = (await workerQueue()).map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('reports the first record whose events the bus refused, so Lambda retries from it', async () => {
    const records = [...(await streamOf(() => manifests.put(REPO, record('2'), ['r2']))), ...(await streamOf(() => manifests.put(REPO, record('3'), ['r3'])))];
    const refused = JSON.parse(
      JSON.stringify({ result: 'SUCCESS', 'repository-name': 'team/app', 'image-digest': digest('3'), 'action-type': 'PUSH', 'image-tag': 'r3' }),
    ) as object;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
      const results = input.Entries.map((entry) =>
        JSON.stringify(JSON.parse(entry.Detail)) === JSON.stringify(refused)
          ? { ErrorCode: 'AccessDeniedException', ErrorMessage: 'denied' }
          : { EventId: 'ok' },
      );
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    });

    const response = await handler(dynamoStreamEvent(records), context);

    const tagR3 = records.find((r) => r.dynamodb?.Keys?.['SK']?.S === 'T#r3');
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: tagR3?.dynamodb?.SequenceNumber }] });
    await workerQueue();
  });

  it('reports an unreadable record and publishes nothing after it', async () => {
    const untagged = await streamOf(() => manifests.put(REPO, record('4'), []));
    const tag = (await streamOf(() => manifests.put(REPO, record('6'), ['r6']))).find((r) => r.dynamodb?.Keys?.['SK']?.S === 'T#r6');
    const later = await streamOf(() => manifests.put(REPO, record('5'), ['r5']));
    const broken = { ...tag, dynamodb: { ...tag?.dynamodb, NewImage: undefined } } as DynamoDBRecord;

    const response = await handler(dynamoStreamEvent([...untagged, broken, ...later]), context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: broken.dynamodb?.SequenceNumber }] });
    expect(summary(await workerQueue())).toEqual([['image.pushed', digest('4'), []]]);
  });

  it('forwards the scan request and the scan result written on the scan item, as written, with ECR Image Scan on the bus', async () => {
    const image = digest('7');
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute));
    const fields = { registry: REPO.registry, repository: REPO.name, digest: image };
    const requested = newEvent('image.scan-requested', { ...fields, reason: 'manual' }, at(0), '00000000-0000-4000-8000-0000000000a1');
    const scanned = newEvent(
      'image.scanned',
      { ...fields, status: 'COMPLETE', tags: ['v7'], severityCounts: { HIGH: 1 } },
      at(2),
      '00000000-0000-4000-8000-0000000000a2',
    );
    const finding = { name: 'CVE-2024-0001', severity: 'HIGH' as const, attributes: [{ key: 'package_name', value: 'openssl' }] };
    // StartImageScan, the worker claiming the scan, the worker finishing it: three writes of the adapter.
    const records = [
      ...(await streamOf(() => scans.start(REPO, image, at(0), at(0), [requested]))),
      ...(await streamOf(() => scans.start(REPO, image, at(1), at(0)))),
      ...(await streamOf(() =>
        scans.finish(REPO, image, { status: 'COMPLETE', startedAt: at(1), completedAt: at(2), findings: [finding], severityCounts: { HIGH: 1 } }, [scanned]),
      )),
    ];

    const response = await handler(dynamoStreamEvent(records), context);
    await handler(dynamoStreamEvent(records), context);

    expect(response).toEqual({ batchItemFailures: [] });
    const delivered = await workerQueue();
    expect(summary(delivered)).toEqual(
      [
        ['image.scan-requested', image, []],
        ['image.scan-requested', image, []],
        ['image.scanned', image, ['v7']],
        ['image.scanned', image, ['v7']],
      ].sort(byJson),
    );
    // A redelivered record carries the ids the writer gave: consumers deduplicate them.
    expect(new Set(delivered.map((event) => event.id))).toEqual(new Set([requested.id, scanned.id]));
    const scanEntries = busEntries().filter((entry) => entry.DetailType === 'ECR Image Scan');
    expect(scanEntries).toHaveLength(2);
    expect(JSON.parse(scanEntries[0]?.Detail ?? '{}')).toEqual({
      'scan-status': 'COMPLETE',
      'repository-name': REPO.name,
      'finding-severity-counts': { HIGH: 1 },
      'image-digest': image,
      'image-tags': ['v7'],
    });
  });
});
