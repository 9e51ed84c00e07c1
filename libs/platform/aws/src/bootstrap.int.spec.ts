import type { Digest, ManifestRecord } from '@cargohold/storage-ports';
import { createDynamoMetadata } from '@cargohold/storage-dynamodb';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { AwsClients } from './aws-clients';
import { bootstrapAwsStorage } from './bootstrap';
import { checkAwsStorage } from './storage-check';
import { isolatedEmulatorEnv } from './testing';

/** `cargohold aws bootstrap` over s3rver and DynamoDB Local, the SDK configured only by the environment. */
let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('bootstrap-existing');
  dynamo = await startDynamoDbLocal();
  process.env = isolatedEmulatorEnv(saved, { s3: s3.endpoint, dynamodb: dynamo.endpoint });
});

afterAll(async () => {
  process.env = saved;
  await dynamo?.stop();
  await s3?.stop();
});

async function withClients<T>(use: (clients: AwsClients) => Promise<T>): Promise<T> {
  const clients = new AwsClients({ region: 'us-east-1', s3ForcePathStyle: true });
  try {
    return await use(clients);
  } finally {
    clients.destroy();
  }
}

describe('bootstrapAwsStorage', () => {
  it('creates a bucket and a table that the start-up check then accepts, and reports each step', async () => {
    const location = { bucket: 'fresh-blobs', table: 'fresh-metadata' };
    const steps = await withClients((clients) => bootstrapAwsStorage(clients, location));
    expect(steps[0]).toEqual({ what: 'bucket fresh-blobs', outcome: 'created' });
    expect(steps.at(-1)).toEqual({ what: 'table fresh-metadata', outcome: 'created' });
    // s3rver implements none of the bucket settings (NotImplemented): each is reported, none silently dropped.
    const unsupported = { outcome: 'unsupported', detail: 'the endpoint does not implement it' };
    expect(steps.slice(1, -1)).toEqual([
      { what: 'bucket encryption (SSE-S3)', ...unsupported },
      { what: 'public access block', ...unsupported },
      { what: 'abort incomplete multipart uploads after 1 day', ...unsupported },
    ]);
    await withClients((clients) => checkAwsStorage(clients, location));
  });

  it('leaves what exists as it is when run again, and gives an older table its GC reference hints', async () => {
    const location = { bucket: s3.bucket, table: await dynamo.freshTable() };
    // A link and a manifest as a version before online GC wrote them: no pin, so no reference hint.
    const metadata = createDynamoMetadata({ client: dynamo.client, table: location.table });
    const repo = { registry: '000000000000:us-east-1', name: 'legacy/app' };
    const layer = ('sha256:' + 'b'.repeat(64)) as Digest;
    const record = { digest: 'sha256:' + 'a'.repeat(64), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 10, blobs: [layer], children: [] };
    await metadata.links.link(repo, layer, 1, new Date(0));
    await metadata.manifests.put(repo, { ...record, imageSizeBytes: 1, pushedAt: new Date(0) } as unknown as ManifestRecord, ['v1']);

    const steps = await withClients((clients) => bootstrapAwsStorage(clients, location));
    expect(steps[0]).toEqual({ what: `bucket ${s3.bucket}`, outcome: 'exists' });
    expect(steps.slice(-2)).toEqual([
      { what: `table ${location.table}`, outcome: 'exists' },
      { what: 'GC reference hints', outcome: 'applied', detail: '2 put' },
    ]);
    const lease = { at: new Date(), until: new Date(Date.now() + 60_000) };
    expect(await metadata.reclaim.claim(layer, 'gc', lease)).toBe(false); // the hint now shows the link to a collection
  });
});
