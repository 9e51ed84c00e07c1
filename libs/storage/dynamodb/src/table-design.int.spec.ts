import { DescribeTableCommand, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { digestOf } from '@cargohold/oci';
import type { ManifestRecord } from '@cargohold/storage-ports';
import { createDynamoMetadata, INDEX, TABLE_DEFINITION } from './index';
import { startDynamoDbLocal, type DynamoDbLocal } from './testing';
import { intercept, type Request } from './testing/intercept';

const app = { registry: '000000000000:us-east-1', name: 'app' };
const T0 = new Date('2025-01-01T00:00:00.000Z');
const record = (label: string, extra: Partial<ManifestRecord> = {}): ManifestRecord => ({
  digest: digestOf(Buffer.from(label)),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 10,
  blobs: [],
  children: [],
  imageSizeBytes: 0,
  pushedAt: T0,
  ...extra,
});

/** Every index of the definition by name, with its key attributes (HASH first). */
const indexes = new Map<string | undefined, { keys: string[]; global: boolean }>([
  [undefined, { keys: keyNames(TABLE_DEFINITION.KeySchema), global: false }],
  ...(TABLE_DEFINITION.LocalSecondaryIndexes ?? []).map((i) => [i.IndexName, { keys: keyNames(i.KeySchema), global: false }] as const),
  ...(TABLE_DEFINITION.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, { keys: keyNames(i.KeySchema), global: true }] as const),
]);

function keyNames(schema: readonly KeySchemaElement[] | undefined): string[] {
  return [...(schema ?? [])].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0)).map((k) => k.AttributeName as string);
}

let dynamoDb: DynamoDbLocal;
beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
});
afterAll(() => dynamoDb.stop());

describe('TABLE_DEFINITION', () => {
  it('is the table createTable makes: keys, attribute types, indexes and projections as described', async () => {
    const table = await dynamoDb.freshTable('design');
    const { Table } = await dynamoDb.client.send(new DescribeTableCommand({ TableName: table }));

    expect(Table?.KeySchema).toEqual(TABLE_DEFINITION.KeySchema);
    expect(Table?.AttributeDefinitions).toEqual(expect.arrayContaining(TABLE_DEFINITION.AttributeDefinitions ?? []));
    for (const [described, defined] of [
      [Table?.LocalSecondaryIndexes, TABLE_DEFINITION.LocalSecondaryIndexes],
      [Table?.GlobalSecondaryIndexes, TABLE_DEFINITION.GlobalSecondaryIndexes],
    ] as const) {
      const shape = (list: typeof described | typeof defined) =>
        (list ?? [])
          .map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection }))
          .sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)));
      expect(shape(described)).toEqual(shape(defined));
    }
    expect(Table?.StreamSpecification).toEqual(TABLE_DEFINITION.StreamSpecification);
    expect(Table?.LatestStreamArn).toEqual(expect.stringContaining(table));
  });

  it('defines only key attributes, all strings (DynamoDB rejects unused definitions; S sorts by bytes)', () => {
    const used = new Set([...indexes.values()].flatMap((i) => i.keys));
    expect(TABLE_DEFINITION.AttributeDefinitions?.map((a) => a.AttributeName).sort()).toEqual([...used].sort());
    expect(TABLE_DEFINITION.AttributeDefinitions?.every((a) => a.AttributeType === 'S')).toBe(true);
  });

  it('streams new and old images, on demand', () => {
    expect(TABLE_DEFINITION.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(TABLE_DEFINITION.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Object.values(INDEX).sort()).toEqual([...indexes.keys()].filter(Boolean).sort());
  });

  it('matches every query the adapter sends: a defined index, its own key attributes, no consistent read on a GSI', async () => {
    const table = await dynamoDb.freshTable('design');
    const client = dynamoDb.newClient();
    const queries: Request['input'][] = [];
    intercept(client, async (request, send) => {
      if (request.operation === 'Query') queries.push(request.input);
      return send();
    });
    const { repositories, manifests, links, sessions, registries } = createDynamoMetadata({ client, table });

    await repositories.create(app, T0);
    await repositories.list(app.registry, { last: 'a', limit: 10 });
    const child = record('child');
    await manifests.put(app, child, ['v1']);
    await manifests.put(app, record('index', { children: [child.digest] }), ['latest']);
    await manifests.put(app, record('sbom', { subject: child.digest }), []);
    await manifests.list(app, { last: 'sha256:', limit: 10 });
    await manifests.listTags(app, { last: 'a', limit: 10 });
    await manifests.tagsOf(app, child.digest);
    await manifests.referrers(app, child.digest);
    await manifests.delete(app, record('sbom').digest);
    await links.link(app, child.digest, 1, T0);
    await sessions.create({ id: '00000000-0000-4000-8000-000000000001', repo: app, startedAt: T0, updatedAt: T0 });
    await sessions.listIdle(new Date(), 10);
    await registries.update(app.registry, (current) => current);
    await repositories.delete(app);

    expect(new Set(queries.map((q) => q['IndexName']))).toEqual(new Set(indexes.keys()));
    for (const query of queries) {
      const index = indexes.get(query['IndexName'] as string | undefined);
      expect(index).toBeDefined();
      const attributes = (query['KeyConditionExpression'] as string).match(/\b(?!AND\b)[A-Z][A-Z0-9]+\b/g) ?? [];
      expect(index?.keys).toEqual(expect.arrayContaining(attributes));
      expect(attributes[0]).toBe(index?.keys[0]);
      if (index?.global) expect(query['ConsistentRead']).toBe(false);
    }
  });
});
