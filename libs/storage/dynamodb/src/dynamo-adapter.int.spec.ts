import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { digestOf, RegistryError, type Digest } from '@cargohold/oci';
import {
  ManifestClosureError,
  ManifestReferencedError,
  SizeLimitError,
  type BlobLinkStore,
  type ManifestRecord,
  type RepositorySettings,
} from '@cargohold/storage-ports';
import { createDynamoMetadata, MAX_ITEM_BYTES, MetadataStoreError, MetadataThrottledError } from './index';
import { startDynamoDbLocal, type DynamoDbLocal } from './testing';
import { marshalledItemSize, nativeItemSize } from './item-size';
import { manifestItem } from './dynamo-manifest-store';
import { intercept } from './testing/intercept';

const app = { registry: '000000000000:us-east-1', name: 'app' };
const T0 = new Date('2025-01-01T00:00:00.000Z');
const digest = (label: string): Digest => digestOf(Buffer.from(label));
const manifestRecord = (label: string): ManifestRecord => ({
  digest: digest(label),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 1234,
  blobs: [digest(`${label}/config`), digest(`${label}/layer`)],
  children: [],
  configMediaType: 'application/vnd.oci.image.config.v1+json',
  imageSizeBytes: 5678,
  pushedAt: T0,
});
/** Links the record's blobs in `app`, as a push does before recording the manifest. */
const linkBlobs = async (links: BlobLinkStore, record: ManifestRecord): Promise<void> => {
  for (const blob of record.blobs) await links.link(app, blob, 1, T0);
};
const layers = (label: string, count: number): Digest[] => Array.from({ length: count }, (_, i) => digest(`${label}/${i}`));

let dynamoDb: DynamoDbLocal;
beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
});
afterAll(() => dynamoDb.stop());

/** A store over a fresh table, on its own client so a spec can intercept its requests. */
async function fresh() {
  const table = await dynamoDb.freshTable('adapter');
  const client = dynamoDb.newClient();
  return { table, client, ...createDynamoMetadata({ client, table }) };
}

describe('DynamoManifestStore item size', () => {
  it('keeps a manifest record with 1000 layers well under 400 KB, measured on the marshalled PutItem', async () => {
    const { client, links, manifests, repositories } = await fresh();
    await repositories.create(app, T0);
    const record: ManifestRecord = { ...manifestRecord('big'), blobs: layers('big', 1001), annotations: { 'org.example.note': 'x'.repeat(1000) } };
    await linkBlobs(links, record);
    const written: Record<string, AttributeValue>[] = [];
    intercept(
      client,
      async (request, send) => {
        // The manifest item travels in the put's TransactWriteItems.
        const items = (request.input.TransactItems as { Put?: { Item: Record<string, AttributeValue> } }[] | undefined) ?? [];
        if (request.operation === 'TransactWriteItems') written.push(...items.flatMap((item) => (item.Put ? [item.Put.Item] : [])));
        return send();
      },
      'build',
    );

    await manifests.put(app, record, ['latest']);

    expect(written).toHaveLength(1);
    const size = marshalledItemSize(written[0] as Record<string, AttributeValue>);
    expect(size).toBeGreaterThan(1001 * 71);
    expect(size).toBeLessThan(100 * 1024);
    expect(nativeItemSize(manifestItem(app, record, ['latest']))).toBe(size);
    expect(await manifests.get(app, record.digest)).toEqual(record);
  });

  it('refuses a record that would not fit an item, and writes nothing', async () => {
    const { manifests, repositories } = await fresh();
    await repositories.create(app, T0);
    const record = { ...manifestRecord('huge'), blobs: layers('huge', Math.ceil(MAX_ITEM_BYTES / 70)) };

    await expect(manifests.put(app, record, ['latest'])).rejects.toBeInstanceOf(SizeLimitError);
    expect(await manifests.get(app, record.digest)).toBeUndefined();
    expect(await manifests.resolveTag(app, 'latest')).toBeUndefined();
  });
});

/**
 * Holds the first `writers` GetItems until all of them have read, so every writer starts from the same
 * version: a plain get-then-put would keep one update of the ten.
 */
function everyoneReadsFirst(client: DynamoDBClient, writers: number): void {
  let reads = 0;
  let release = (): void => undefined;
  const allRead = new Promise<void>((resolve) => (release = resolve));
  intercept(client, async (request, send) => {
    if (request.operation !== 'GetItem' || reads >= writers) return send();
    reads += 1;
    const result = await send();
    if (reads === writers) release();
    await allRead;
    return result;
  });
}

describe('optimistic concurrency', () => {
  const addTag =
    (key: string) =>
    (current: RepositorySettings): RepositorySettings => ({
      ...current,
      tags: [...current.tags, { Key: key, Value: key }],
    });

  it('lands all 10 concurrent updates of one repository although every writer read the same version', async () => {
    const { client, repositories } = await fresh();
    await repositories.create(app, T0);
    everyoneReadsFirst(client, 10);
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    let calls = 0;

    await Promise.all(keys.map((key) => repositories.update(app, (current) => (calls++, addTag(key)(current)))));

    const tags = (await repositories.get(app))?.settings.tags.map((t) => t.Key);
    expect(tags?.sort()).toEqual(keys);
    expect(calls).toBeGreaterThan(keys.length); // conflicts happened and were retried
  });

  it('lands all 10 concurrent updates of one registry document, the very first write included', async () => {
    const { client, registries } = await fresh();
    everyoneReadsFirst(client, 10);
    const names = Array.from({ length: 10 }, (_, i) => `SETTING_${i}`);

    await Promise.all(names.map((name) => registries.update(app.registry, (c) => ({ ...c, accountSettings: { ...c.accountSettings, [name]: 'ON' } }))));

    expect(Object.keys((await registries.get(app.registry)).accountSettings).sort()).toEqual(names);
  });

  it('would lose updates without the version check: the interleaving above is real', async () => {
    const { client, table } = await fresh();
    everyoneReadsFirst(client, 10);
    const Key = { PK: { S: 'counter' }, SK: { S: 'counter' } };
    await client.send(new PutItemCommand({ TableName: table, Item: { ...Key, n: { N: '0' } } }));

    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const { Item } = await client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
        const n = Number(Item?.['n']?.N) + 1;
        await client.send(new PutItemCommand({ TableName: table, Item: { ...Key, n: { N: String(n) } } }));
      }),
    );

    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
    expect(Number(Item?.['n']?.N)).toBeLessThan(10);
  });
});

describe('DynamoManifestStore delete refusal', () => {
  it('refuses the delete when an index referencing the manifest is pushed between the check and the delete', async () => {
    const { client, table, links, manifests, repositories } = await fresh();
    const other = createDynamoMetadata({ client: dynamoDb.client, table });
    await repositories.create(app, T0);
    const child = manifestRecord('child');
    const index: ManifestRecord = { ...manifestRecord('index'), blobs: [], children: [child.digest] };
    await linkBlobs(links, child);
    await manifests.put(app, child, []);
    intercept(client, async (request, send) => {
      const items = (request.input.TransactItems as { Delete?: { Key: { SK?: string } } }[] | undefined) ?? [];
      if (request.operation === 'TransactWriteItems' && items.some((item) => item.Delete?.Key.SK === `M#${child.digest}`)) {
        await other.manifests.put(app, index, ['multi']);
      }
      return send();
    });

    const error = await manifests.delete(app, child.digest).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ManifestReferencedError);
    expect((error as ManifestReferencedError).detail).toEqual({ digest: child.digest, referencedBy: [index.digest] });
    expect(await manifests.get(app, child.digest)).toEqual(child);
    expect(await manifests.resolveTag(app, 'multi')).toBe(index.digest);
  });

  it('lets the child go once its last index is deleted', async () => {
    const { links, manifests, repositories } = await fresh();
    await repositories.create(app, T0);
    const child = manifestRecord('child');
    await linkBlobs(links, child);
    await manifests.put(app, child, []);
    await manifests.put(app, { ...manifestRecord('index'), blobs: [], children: [child.digest, child.digest] }, []);

    await expect(manifests.delete(app, child.digest)).rejects.toBeInstanceOf(ManifestReferencedError);
    expect(await manifests.delete(app, manifestRecord('index').digest)).toBe(true);
    expect(await manifests.delete(app, child.digest)).toBe(true);
  });
});

describe('DynamoManifestStore closure', () => {
  it('refuses an index with a missing child and takes back the parents it added to the present ones', async () => {
    const { links, manifests, repositories } = await fresh();
    await repositories.create(app, T0);
    const present = manifestRecord('present');
    await linkBlobs(links, present);
    await manifests.put(app, present, []);
    const index: ManifestRecord = { ...manifestRecord('index'), blobs: [], children: [present.digest, digest('missing')] };

    const error = await manifests.put(app, index, ['multi']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ManifestClosureError);
    expect((error as ManifestClosureError).detail).toMatchObject({ digest: digest('missing') });
    expect(await manifests.get(app, index.digest)).toBeUndefined();
    expect(await manifests.resolveTag(app, 'multi')).toBeUndefined();
    expect(await manifests.delete(app, present.digest)).toBe(true);
  });

  it('refuses to unlink a blob that a manifest pushed by another process lists', async () => {
    const { table, links, repositories } = await fresh();
    const other = createDynamoMetadata({ client: dynamoDb.client, table });
    await repositories.create(app, T0);
    const record = manifestRecord('m1');
    await linkBlobs(links, record);
    await other.manifests.put(app, record, ['latest']);
    await expect(links.unlink(app, digest('m1/layer'))).rejects.toMatchObject({ status: 409, detail: { referencedBy: [record.digest] } });
    expect(await links.stat(app, digest('m1/layer'))).toEqual({ found: true, size: 1 });
  });
});

describe('vendor errors', () => {
  const notAnSdkError = (error: unknown) => {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).not.toMatch(/Exception$/);
  };

  it('turns a missing table into MetadataStoreError, keeping the SDK error only as cause', async () => {
    const { repositories } = createDynamoMetadata({ client: dynamoDb.client, table: 'no-such-table' });
    const error = await repositories.get(app).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataStoreError);
    expect(((error as Error).cause as Error).name).toBe('ResourceNotFoundException');
    notAnSdkError(error);
  });

  it('turns throttling that outlived the SDK retries into a retryable 503 RegistryError', async () => {
    const { client, manifests } = await fresh();
    intercept(client, async () => {
      throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    });
    const error = await manifests.resolveTag(app, 'latest').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataThrottledError);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'Retry-After': '1' } });
  });

  it('never lets ConditionalCheckFailedException out: conflicts are answers, not errors', async () => {
    const { manifests, repositories, links, sessions } = await fresh();
    await repositories.create(app, T0);
    await expect(repositories.create(app, T0)).resolves.toMatchObject({ created: false });
    await links.link(app, digest('l'), 1, T0);
    await links.link(app, digest('l'), 2, T0);
    await manifests.recordPull(app, digest('absent'), T0);
    await expect(sessions.touch('00000000-0000-4000-8000-000000000000', T0)).resolves.toBeUndefined();
    expect(await links.stat(app, digest('l'))).toEqual({ found: true, size: 1 });
  });
});

describe('DynamoScanStore findings parts', () => {
  const image = digest('image');
  /** Random hex compresses only to half: 700 KB of it needs more than one part. */
  const findings = Array.from({ length: 350 }, (_, i) => ({
    name: `CVE-2024-${i}`,
    description: randomBytes(1000).toString('hex'),
    severity: 'HIGH' as const,
    attributes: [{ key: 'package_name', value: `pkg-${i}` }],
  }));
  const parts = async (client: DynamoDBClient, table: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: `REPO#${app.registry}#${app.name}` } },
        }),
      )
    ).Items?.filter((item) => item['SK']?.S?.includes('#PART#')) ?? [];

  it('splits findings too large for one item over several part items, each under the limit, and reads them back in order', async () => {
    const { client, table, scans } = await fresh();
    const record = { status: 'COMPLETE' as const, startedAt: T0, completedAt: T0, findings, severityCounts: { HIGH: findings.length } };
    await scans.start(app, image, T0, T0);
    await scans.finish(app, image, record);

    const stored = await parts(client, table);
    expect(stored.length).toBe(2);
    for (const part of stored) expect(marshalledItemSize(part)).toBeLessThan(MAX_ITEM_BYTES);
    expect(await scans.get(app, image)).toStrictEqual(record);
  });

  it('deletes the parts of the result a later finish replaces', async () => {
    const { client, table, scans } = await fresh();
    await scans.start(app, image, T0, T0);
    await scans.finish(app, image, { status: 'COMPLETE', startedAt: T0, findings, severityCounts: {} });
    await scans.start(app, image, new Date(T0.getTime() + 1), new Date(T0.getTime() + 1));
    await scans.finish(app, image, { status: 'COMPLETE', startedAt: T0, findings: findings.slice(0, 1), severityCounts: {} });

    expect(await parts(client, table)).toHaveLength(1);
    expect((await scans.get(app, image))?.findings).toEqual(findings.slice(0, 1));
  });
});
