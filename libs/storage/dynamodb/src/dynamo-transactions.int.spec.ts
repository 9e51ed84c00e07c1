import { digestOf, type Digest } from '@cargohold/oci';
import { BlobReferencedError, ManifestClosureError, type BlobLinkStore, type ManifestRecord } from '@cargohold/storage-ports';
import { createDynamoMetadata, TransactionLimitError } from './index';
import { startDynamoDbLocal, type DynamoDbLocal } from './testing';
import { intercept } from './testing/intercept';

/*
 * The windows the adapter left open before it had transactions, each forced deterministically: another
 * process (a second store on the same table) acts at the moment the first store's write is sent.
 */
const app = { registry: '000000000000:us-east-1', name: 'app' };
const T0 = new Date('2025-01-01T00:00:00.000Z');
const digest = (label: string): Digest => digestOf(Buffer.from(label));
const manifestRecord = (label: string, children: Digest[] = []): ManifestRecord => ({
  digest: digest(label),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 1234,
  blobs: children.length > 0 ? [] : [digest(`${label}/config`), digest(`${label}/layer`)],
  children,
  configMediaType: 'application/vnd.oci.image.config.v1+json',
  imageSizeBytes: 5678,
  pushedAt: T0,
});
const linkBlobs = async (links: BlobLinkStore, record: ManifestRecord): Promise<void> => {
  for (const blob of record.blobs) await links.link(app, blob, 1, T0);
};

type Sent = { TransactItems?: { Put?: { Item: { SK?: string } }; Delete?: { Key: { SK?: string } } }[]; Key?: { SK?: string } };
/** Runs `meanwhile` once, just before the first request for which `when` holds is sent. */
function once(client: Parameters<typeof intercept>[0], when: (operation: string, input: Sent) => boolean, meanwhile: () => Promise<unknown>) {
  let done = false;
  intercept(client, async (request, send) => {
    if (!done && when(request.operation, request.input as Sent)) {
      done = true;
      await meanwhile();
    }
    return send();
  });
}
const transactionPutting = (sk: string) => (operation: string, input: Sent) =>
  operation === 'TransactWriteItems' && (input.TransactItems ?? []).some((item) => item.Put?.Item.SK === sk);
const transactionDeleting = (sk: string) => (operation: string, input: Sent) =>
  operation === 'TransactWriteItems' && (input.TransactItems ?? []).some((item) => item.Delete?.Key.SK === sk);

let dynamoDb: DynamoDbLocal;
beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
});
afterAll(() => dynamoDb.stop());

/** A store on its own (intercepted) client, and `other`, a second process on the same table. */
async function fresh() {
  const table = await dynamoDb.freshTable('transactions');
  const client = dynamoDb.newClient();
  const store = createDynamoMetadata({ client, table });
  await store.repositories.create(app, T0);
  return { client, ...store, other: createDynamoMetadata({ client: dynamoDb.client, table }) };
}

describe('DynamoManifestStore transactions', () => {
  it('deletes a digest together with a tag moved onto it while the delete was under way', async () => {
    const { client, links, manifests, other } = await fresh();
    const record = manifestRecord('m1');
    await linkBlobs(links, record);
    await manifests.put(app, record, ['v1']);
    once(client, transactionDeleting(`M#${record.digest}`), () => other.manifests.put(app, record, ['late']));

    expect(await manifests.delete(app, record.digest)).toBe(true);

    expect(await manifests.get(app, record.digest)).toBeUndefined();
    expect(await manifests.resolveTag(app, 'v1')).toBeUndefined();
    expect(await manifests.resolveTag(app, 'late')).toBeUndefined();
  });

  it('refuses a put whose blob is unlinked while it is being recorded: nothing recorded, no tag', async () => {
    const { client, links, manifests, other } = await fresh();
    const record = manifestRecord('m1');
    await linkBlobs(links, record);
    once(client, transactionPutting(`M#${record.digest}`), () => other.links.unlink(app, digest('m1/layer')));

    const error = await manifests.put(app, record, ['v1']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ManifestClosureError);
    expect((error as ManifestClosureError).detail).toMatchObject({ digest: digest('m1/layer') });
    expect(await manifests.get(app, record.digest)).toBeUndefined();
    expect(await manifests.resolveTag(app, 'v1')).toBeUndefined();
  });

  it('refuses an unlink when a manifest listing the blob lands between its check and its delete', async () => {
    const { client, links, manifests, other } = await fresh();
    const record = manifestRecord('m1');
    await linkBlobs(links, record);
    const layer = digest('m1/layer');
    once(
      client,
      (operation, input) => operation === 'DeleteItem' && input.Key?.SK === `L#${layer}`,
      () => other.manifests.put(app, record, ['v1']),
    );

    await expect(links.unlink(app, layer)).rejects.toBeInstanceOf(BlobReferencedError);

    expect(await links.stat(app, layer)).toEqual({ found: true, size: 1 });
    expect(await manifests.resolveTag(app, 'v1')).toBe(record.digest);
  });

  it('refuses an index whose child is deleted while the index is being recorded', async () => {
    const { client, links, manifests, other } = await fresh();
    const child = manifestRecord('child');
    await linkBlobs(links, child);
    await manifests.put(app, child, []);
    const index = manifestRecord('index', [child.digest]);
    once(client, transactionPutting(`M#${index.digest}`), () => other.manifests.delete(app, child.digest));

    const error = await manifests.put(app, index, ['multi']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ManifestClosureError);
    expect((error as ManifestClosureError).detail).toMatchObject({ digest: child.digest });
    expect(await manifests.get(app, index.digest)).toBeUndefined();
    expect(await manifests.resolveTag(app, 'multi')).toBeUndefined();
  });

  it('refuses an index too large for one transaction with TransactionLimitError, writing nothing', async () => {
    const { manifests } = await fresh();
    const index = manifestRecord(
      'huge',
      Array.from({ length: 100 }, (_, i) => digest(`child-${i}`)),
    );

    await expect(manifests.put(app, index, ['multi'])).rejects.toBeInstanceOf(TransactionLimitError);

    expect(await manifests.get(app, index.digest)).toBeUndefined();
  });

  it('deletes a manifest with more tags than one transaction holds', async () => {
    const { links, manifests } = await fresh();
    const record = manifestRecord('m1');
    await linkBlobs(links, record);
    const tags = Array.from({ length: 120 }, (_, i) => `t${i}`);
    for (let i = 0; i < tags.length; i += 60) await manifests.put(app, record, tags.slice(i, i + 60));
    expect(await manifests.tagsOf(app, record.digest)).toHaveLength(120);

    expect(await manifests.delete(app, record.digest)).toBe(true);

    expect(await manifests.listTags(app, { limit: 200 })).toEqual([]);
    expect(await manifests.get(app, record.digest)).toBeUndefined();
  });
});
