import { join } from 'node:path';
import { parseDigest } from '@cargohold/oci';
import { openSqliteMetadata, type SqliteMetadata } from '@cargohold/storage-sqlite';
import { OCI_MANIFEST } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

/**
 * The server's metadata reads are cached and look for other connections' commits once per request
 * (`cargohold gc`, `fsck`, a second server on the same data directory): every request must still see
 * what such a connection committed before the request arrived.
 */
describe('a commit by another connection to the metadata', () => {
  let t: TestServer;
  let other: SqliteMetadata;
  const repo = { registry: '000000000000:us-east-1', name: 'shared/app' };
  const get = (reference: string) => t.client.send('GET', `/v2/shared/app/manifests/${reference}`, { headers: { Accept: OCI_MANIFEST } });

  beforeAll(async () => {
    t = await startTestServer();
    other = openSqliteMetadata(join(t.dataDir, 'metadata.db'));
  });
  afterAll(async () => {
    await other?.close();
    await t?.stop();
  });

  it('is seen by the next request: a tag deleted and moved there answers as it now is', async () => {
    const first = await t.client.pushImage('shared/app', 'v1', 'first');
    const second = await t.client.pushImage('shared/app', 'v2', 'second');
    expect((await get('v1')).status).toBe(200);
    expect((await get('v1')).status).toBe(200);

    await other.manifests.deleteTag(repo, 'v1', []);
    expect((await get('v1')).status).toBe(404);

    const record = await other.manifests.get(repo, parseDigest(second.digest).digest);
    if (!record) throw new Error('the second image has no record');
    await other.manifests.put(repo, record, ['v1'], []);
    const moved = await get('v1');
    expect(moved.status).toBe(200);
    expect(moved.headers['docker-content-digest']).toBe(second.digest);
    expect(moved.headers['docker-content-digest']).not.toBe(first.digest);
  });

  it('is seen by requests that arrive together (they start as one batch behind one look)', async () => {
    await t.client.pushImage('shared/app', 'v3', 'third');
    const before = await Promise.all(Array.from({ length: 16 }, () => get('v3')));
    expect(before.map((r) => r.status)).toEqual(new Array(16).fill(200));

    await other.manifests.deleteTag(repo, 'v3', []);
    const after = await Promise.all(Array.from({ length: 16 }, () => get('v3')));
    expect(after.map((r) => r.status)).toEqual(new Array(16).fill(404));
  });
});
