import { startTestServer, type TestServer } from './testing/test-server';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, sha256 } from './testing/registry-client';

/** Bad input gets the OCI error JSON with the right code, a 4xx, and changes nothing. */
describe('/v2/ bad input', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ limits: { maxPageSize: 100 } });
  });
  afterAll(() => t.stop());

  const catalog = async () => (await t.client.send('GET', '/v2/_catalog')).json<{ repositories: string[] }>().repositories;
  const expectError = (res: { status: number; json(): unknown; headers: Record<string, unknown> }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toMatchObject({ errors: [{ code }] });
  };

  it.each([
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
    ['short hex', `sha256:${'a'.repeat(63)}`],
    ['unknown algorithm', `md5:${'a'.repeat(32)}`],
    ['no algorithm', 'a'.repeat(64)],
    ['sha512 length with sha256', `sha256:${'a'.repeat(128)}`],
  ])('answers DIGEST_INVALID for a malformed digest (%s)', async (_label, digest) => {
    expectError(await t.client.send('GET', `/v2/any/blobs/${digest}`), 400, 'DIGEST_INVALID');
    expectError(await t.client.send('POST', `/v2/any/blobs/uploads/?digest=${digest}`, { body: 'x' }), 400, 'DIGEST_INVALID');
  });

  it.each([
    ['dot-dot segments', '/v2/a/../b/tags/list'],
    ['encoded dot-dot', '/v2/a/%2e%2e/b/tags/list'],
    ['encoded slash', '/v2/a%2fb/tags/list'],
    ['uppercase', '/v2/Upper/tags/list'],
    ['too short', '/v2/a/tags/list'],
    ['leading separator', '/v2/-a/tags/list'],
    ['double slash', '/v2/a//b/tags/list'],
  ])('answers NAME_INVALID for %s in the repository name', async (_label, path) => {
    expectError(await t.client.send('GET', path), 400, 'NAME_INVALID');
  });

  it('refuses to push under an invalid name and stores nothing', async () => {
    const before = await catalog();
    const res = await t.client.send('POST', `/v2/evil/%2e%2e/x/blobs/uploads/?digest=${sha256('x')}`, { body: 'x' });
    expectError(res, 400, 'NAME_INVALID');
    expect(await catalog()).toEqual(before);
  });

  it('answers 413 for a manifest over 4 MiB and stores nothing', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const res = await t.client.send('PUT', '/v2/huge/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST }, body });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ errors: [{ code: 'SIZE_INVALID' }] });
    expect(await catalog()).not.toContain('huge');
  });

  it('refuses an ambiguous manifest (both manifests and layers) with MANIFEST_INVALID', async () => {
    const image = await t.client.pushImage('ambiguous', 'base');
    const doc = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [],
      config: { mediaType: OCI_CONFIG, digest: image.configDigest, size: 1 },
      layers: [],
    };
    expectError((await t.client.putManifest('ambiguous', 'bad', doc, OCI_INDEX)).res, 400, 'MANIFEST_INVALID');
    expect((await t.client.send('GET', '/v2/ambiguous/manifests/bad')).status).toBe(404);
  });

  it('refuses a manifest whose Content-Type differs from its mediaType', async () => {
    const image = await t.client.pushImage('ctype', 'base');
    const { res } = await t.client.putManifest('ctype', 'bad', image.body.toString(), OCI_INDEX);
    expectError(res, 400, 'MANIFEST_INVALID');
  });

  it('refuses duplicate keys in a manifest', async () => {
    const image = await t.client.pushImage('dupes', 'base');
    const text = image.body.toString().replace('{"schemaVersion":2,', '{"schemaVersion":2,"schemaVersion":2,');
    expectError((await t.client.putManifest('dupes', 'bad', text, OCI_MANIFEST)).res, 400, 'MANIFEST_INVALID');
  });

  it('answers BLOB_UPLOAD_UNKNOWN for tampered or foreign upload locations', async () => {
    const location = (await t.client.send('POST', '/v2/owner/blobs/uploads/')).headers['location'] as string;
    const id = location.split('/').pop() as string;
    const tampered = location.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    expectError(await t.client.send('PATCH', tampered, { body: 'x' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectError(await t.client.send('PATCH', `/v2/thief/blobs/uploads/${id}`, { body: 'x' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectError(await t.client.send('GET', '/v2/owner/blobs/uploads/..%2f..%2fetc'), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect((await t.client.send('GET', location)).headers['range']).toBe('0-0');
  });

  it('answers PAGINATION_NUMBER_INVALID for a huge n on the catalog', async () => {
    expectError(await t.client.send('GET', '/v2/_catalog?n=1000000'), 400, 'PAGINATION_NUMBER_INVALID');
  });

  it('answers UNSUPPORTED for methods an endpoint does not have', async () => {
    const res = await t.client.send('POST', '/v2/any/manifests/v1');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toContain('GET');
  });
});
