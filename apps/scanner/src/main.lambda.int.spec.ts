import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { newEvent } from '@cargohold/events';
import { EventBridgePublisher, eventsFromStreamRecord } from '@cargohold/events-aws';
import { dynamoStreamRecord } from '@cargohold/events-aws/testing';
import type { SqsBatchLambda } from '@cargohold/lambda-kit';
import { lambdaContext, sqsEvent, sqsRecord } from '@cargohold/lambda-kit/testing';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { digestOf, type Digest } from '@cargohold/oci';
import { createRegistry, type Registry } from '@cargohold/registry-core';
import { createDynamoMetadata, type DynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { createS3BlobStorage } from '@cargohold/storage-s3';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { pack } from 'tar-stream';

/**
 * The scanner Lambda exactly as deployed (main.lambda.ts, environment and all), driven with SQS batches
 * of internal events over s3rver and DynamoDB Local; EventBridge, which has no emulator here, is mocked. The
 * scanner writes each result with its `image.scanned` event on the scan item, and the table stream
 * carries it to the bus: rather than poll the stream (the stream forwarder's spec does), `forwarded` turns the scan items' changes into the
 * stream records the stream forwarder reads and publishes their events as it does.
 */
const REGISTRY = '000000000000:us-east-1';
const repo = { registry: REGISTRY, name: 'team/debian' };
const BUS = 'cargohold-test';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A Debian 12 system with OpenSSL 3.0.11 (Source: openssl), and the advisory fixed in 3.0.13. */
const DEBIAN_LAYER = {
  'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  'var/lib/dpkg/status': [
    'Package: libssl3',
    'Status: install ok installed',
    'Architecture: amd64',
    'Source: openssl',
    'Version: 3.0.11-1~deb12u2',
    'Description: Secure Sockets Layer toolkit - shared libraries',
    '',
  ].join('\n'),
};
const OPENSSL_ADVISORY = {
  id: 'DEBIAN-CVE-2023-5678',
  modified: '2024-02-01T00:00:00Z',
  aliases: ['CVE-2023-5678'],
  summary: 'Generating excessively long X9.42 DH keys may be very slow.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' }],
  affected: [
    { package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] },
  ],
};

const eventBridge = mockClient(EventBridgeClient);
let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let metadata: DynamoMetadata;
let registry: Registry;
let handler: SqsBatchLambda;
let table: string;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('scanner-blobs');
  dynamo = await startDynamoDbLocal();
  table = await dynamo.freshTable();
  Object.assign(process.env, {
    BUCKET: s3.bucket,
    TABLE: table,
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  // The other side of the deployment (the distribution API and the vulndb import) over the same bucket and table.
  const blobs = createS3BlobStorage({ client: new S3Client({ forcePathStyle: true }), bucket: s3.bucket });
  metadata = createDynamoMetadata({ client: dynamo.client, table });
  registry = createRegistry({ storage: { ...blobs, ...metadata, close: async () => undefined } });
  await metadata.vulnerabilities.upsert(
    [{ id: OPENSSL_ADVISORY.id, modified: OPENSSL_ADVISORY.modified, packages: [{ ecosystem: 'Debian:12', name: 'openssl' }], record: OPENSSL_ADVISORY }],
    new Date('2026-11-01T00:00:00Z'),
  );
  ({ handler } = await import('./main.lambda'));
});

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
});

afterAll(async () => {
  process.env = saved;
  eventBridge.restore();
  await dynamo?.stop();
  await s3?.stop();
});

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => archive.on('end', () => resolve()));
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

async function* bytesOf(blob: Buffer): AsyncIterable<Uint8Array> {
  yield blob;
}

/** Pushes a one-layer image tagged `tag` (creating the repository) and answers its manifest digest. */
async function pushImage(tag: string): Promise<Digest> {
  const layer = await tarGz(DEBIAN_LAYER);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  for (const blob of [config, layer]) await registry.uploads.putMonolithic(repo, digestOf(blob), bytesOf(blob));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
    }),
  );
  return (await registry.manifests.put(repo, tag, manifest, OCI_MANIFEST)).digest;
}

/** The `image.pushed` event the stream forwarder puts on the worker queue, as an SQS message body. */
const pushedBody = (digest: Digest, tag: string, at = new Date()) =>
  JSON.stringify(newEvent('image.pushed', { registry: REGISTRY, repository: repo.name, digest, mediaType: OCI_MANIFEST, tags: [tag] }, at, randomUUID()));

type Image = Record<string, import('aws-lambda').AttributeValue>;

async function scanItems(): Promise<Map<string, Image>> {
  const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  const scans = Items.filter((item) => /^SCAN#[^#]+$/.test(item['SK']?.S ?? '')) as Image[];
  return new Map(scans.map((item) => [`${item['PK']?.S} ${item['SK']?.S}`, item]));
}

/** Runs `change`, then publishes the events its scan item writes carry, as the stream forwarder does. */
async function forwarded<T>(change: () => Promise<T>): Promise<T> {
  const before = await scanItems();
  const result = await change();
  const records = [...(await scanItems())]
    .filter(([key, now]) => JSON.stringify(before.get(key)) !== JSON.stringify(now))
    .map(([key, now]) =>
      dynamoStreamRecord(before.has(key) ? { eventName: 'MODIFY', oldImage: before.get(key), newImage: now } : { eventName: 'INSERT', newImage: now }),
    );
  const bus = new EventBridgePublisher({ client: new EventBridgeClient({}), eventBusName: BUS });
  await bus.publish(records.flatMap((record) => eventsFromStreamRecord(record)));
  return result;
}

const scanEntries = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .filter((entry) => entry.DetailType === 'ECR Image Scan');

describe('scanner Lambda over S3, DynamoDB and EventBridge', () => {
  it('scans an image pushed to a scan-on-push repository, stores the findings and announces ECR Image Scan', async () => {
    const digest = await pushImage('v1');
    await registry.repositoryAdmin.update(repo, (settings) => ({ ...settings, scanOnPush: true }));

    const result = await forwarded(() => handler(sqsEvent(sqsRecord('m-1', pushedBody(digest, 'v1'))), lambdaContext('scanner')));

    expect(result).toEqual({ batchItemFailures: [] });
    const scan = await metadata.scans.get(repo, digest);
    expect(scan).toMatchObject({ status: 'COMPLETE', severityCounts: { MEDIUM: 1 }, vulnerabilitySourceUpdatedAt: new Date('2026-11-01T00:00:00Z') });
    expect(scan?.findings).toEqual([
      expect.objectContaining({
        name: 'CVE-2023-5678',
        severity: 'MEDIUM',
        attributes: expect.arrayContaining([
          { key: 'package_name', value: 'openssl' },
          { key: 'package_version', value: '3.0.11-1~deb12u2' },
        ]),
      }),
    ]);
    expect(scanEntries()).toEqual([
      expect.objectContaining({
        EventBusName: BUS,
        Source: 'aws.ecr',
        Resources: [`arn:aws:ecr:us-east-1:000000000000:repository/${repo.name}`],
      }),
    ]);
    expect(JSON.parse(scanEntries()[0]?.Detail ?? '{}')).toEqual({
      'scan-status': 'COMPLETE',
      'repository-name': repo.name,
      'finding-severity-counts': { MEDIUM: 1 },
      'image-digest': digest,
      'image-tags': ['v1'],
    });
  });

  it('does not scan again when the same event is delivered twice (at-least-once delivery)', async () => {
    const digest = await pushImage('v2');
    const body = pushedBody(digest, 'v2');
    await handler(sqsEvent(sqsRecord('m-2', body)), lambdaContext('scanner'));
    const first = await metadata.scans.get(repo, digest);
    eventBridge.resetHistory();

    const again = await forwarded(() => handler(sqsEvent(sqsRecord('m-2', body)), lambdaContext('scanner')));

    expect(again).toEqual({ batchItemFailures: [] });
    expect(first?.status).toBe('COMPLETE');
    expect(await metadata.scans.get(repo, digest)).toEqual(first);
    expect(scanEntries()).toEqual([]);
  });

  it('reports malformed records as batch item failures and still handles the rest of the batch', async () => {
    const digest = await pushImage('v3');
    const valid = sqsRecord('good', pushedBody(digest, 'v3'));
    const notJson = sqsRecord('not-json', '{"type": "image.pushed",');
    const notAnEvent = sqsRecord('not-an-event', JSON.stringify({ type: 'image.pushed', digest }));

    const result = await handler(sqsEvent(notJson, valid, notAnEvent), lambdaContext('scanner'));

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['not-an-event', 'not-json']);
    expect((await metadata.scans.get(repo, digest))?.status).toBe('COMPLETE');
  });

  it('never calls the bus itself: the result and its event are one write, which the table stream delivers', async () => {
    const digest = await pushImage('v4');
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' }));
    const before = await scanItems();

    const result = await handler(sqsEvent(sqsRecord('m-4', pushedBody(digest, 'v4'))), lambdaContext('scanner'));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toEqual([]);
    const written = [...(await scanItems())]
      .filter(([key, now]) => JSON.stringify(before.get(key)) !== JSON.stringify(now))
      .map(([key, now]) => dynamoStreamRecord({ eventName: 'MODIFY', oldImage: before.get(key) ?? {}, newImage: now }));
    // The images of this spec share their layers, so v4 names the digest the earlier tags name too.
    expect(written.flatMap((record) => eventsFromStreamRecord(record))).toEqual([
      expect.objectContaining({ type: 'image.scanned', digest, status: 'COMPLETE', tags: expect.arrayContaining(['v4']), severityCounts: { MEDIUM: 1 } }),
    ]);
  });
});
