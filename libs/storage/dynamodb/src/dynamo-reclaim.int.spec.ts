import { describeBlobReclaimStoreContract } from '@cargohold/storage-testing';
import type { Digest, ManifestRecord } from '@cargohold/storage-ports';
import { backfillReferenceHints, createDynamoMetadata } from './index';
import { startDynamoDbLocal, type DynamoDbLocal } from './testing';

let dynamoDb: DynamoDbLocal;
beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
});
afterAll(() => dynamoDb.stop());

describeBlobReclaimStoreContract('dynamodb (DynamoDB Local)', async () => {
  const table = await dynamoDb.freshTable();
  return { ...createDynamoMetadata({ client: dynamoDb.client, table }), cleanup: () => dynamoDb.deleteTable(table) };
});

describe('backfillReferenceHints', () => {
  it('gives links and manifests written without pins the hints that make a claim see them', async () => {
    const table = await dynamoDb.freshTable();
    const metadata = createDynamoMetadata({ client: dynamoDb.client, table });
    const repo = { registry: '000000000000:us-east-1', name: 'legacy/app' };
    const record = {
      digest: 'sha256:' + 'a'.repeat(64),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 10,
      blobs: ['sha256:' + 'b'.repeat(64)],
      children: [],
      imageSizeBytes: 1,
      pushedAt: new Date(0),
    } as unknown as ManifestRecord;
    // As an older version wrote them: no pin, so no hint.
    await metadata.links.link(repo, record.blobs[0] as Digest, 1, new Date(0));
    await metadata.manifests.put(repo, record, ['v1']);
    const lease = { at: new Date(), until: new Date(Date.now() + 60_000) };
    expect(await metadata.reclaim.claim(record.blobs[0] as Digest, 'gc', lease)).toBe(true); // blind without hints
    await metadata.reclaim.release(record.blobs[0] as Digest, 'gc');

    expect(await backfillReferenceHints({ client: dynamoDb.client, table })).toBe(2);

    expect(await metadata.reclaim.claim(record.blobs[0] as Digest, 'gc', lease)).toBe(false);
    expect(await metadata.reclaim.claim(record.digest, 'gc', lease)).toBe(false);
    expect(await metadata.reclaim.recorded(record.digest)).toBe(true);
    await dynamoDb.deleteTable(table);
  });
});
