import { startTestServer, type TestServer } from './testing/test-server';
import { DOCKER_MANIFEST, OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from './testing/registry-client';

const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

describe('/v2/ manifests, tags and referrers', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ limits: { maxPageSize: 50 } });
  });
  afterAll(() => t.stop());

  describe('push and pull', () => {
    it('returns the exact bytes with their media type and digest, by tag and by digest', async () => {
      const image = await t.client.pushImage('pull/app', 'v1');
      for (const ref of ['v1', image.digest]) {
        const get = await t.client.send('GET', `/v2/pull/app/manifests/${ref}`, { headers: { Accept: OCI_MANIFEST } });
        expect(get.status).toBe(200);
        expect(get.body.equals(image.body)).toBe(true);
        expect(get.headers['content-type']).toBe(OCI_MANIFEST);
        expect(get.headers['docker-content-digest']).toBe(image.digest);
        const head = await t.client.send('HEAD', `/v2/pull/app/manifests/${ref}`);
        expect(head.status).toBe(200);
        expect(head.headers['content-length']).toBe(String(image.size));
        expect(head.body.length).toBe(0);
      }
    });

    it('answers MANIFEST_UNKNOWN when the stored media type is not acceptable', async () => {
      await t.client.pushImage('negotiate', 'v1');
      const res = await t.client.send('GET', '/v2/negotiate/manifests/v1', { headers: { Accept: DOCKER_MANIFEST } });
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    });

    it('accepts a PUT by digest with ?tag= and echoes the tags in OCI-Tag', async () => {
      const image = await t.client.pushImage('tagged', 'base');
      const { res } = await t.client.putManifest('tagged', image.digest, image.body.toString(), OCI_MANIFEST, '?tag=alpha&tag=beta');
      expect(res.status).toBe(201);
      expect(res.headers['oci-tag']).toBe('alpha, beta');
      expect(res.headers['location']).toBe(`/v2/tagged/manifests/${image.digest}`);
      const tags = await t.client.send('GET', '/v2/tagged/tags/list');
      expect(tags.json()).toEqual({ name: 'tagged', tags: ['alpha', 'base', 'beta'] });
    });

    it('rejects a manifest whose blobs the repository does not hold', async () => {
      const image = await t.client.pushImage('closure/a', 'v1');
      const { res } = await t.client.putManifest('closure/b', 'v1', image.body.toString(), OCI_MANIFEST);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN' }] });
      expect((await t.client.send('GET', '/v2/closure/b/manifests/v1')).status).toBe(404);
    });

    // As CNCF distribution answers, and the OCI conformance suite expects (goharbor/harbor#12494).
    it('answers a pull by an ill-formed tag with 404 MANIFEST_UNKNOWN, a push by one with 400 TAG_INVALID', async () => {
      const image = await t.client.pushImage('illformed', 'v1');

      const get = await t.client.send('GET', '/v2/illformed/manifests/.INVALID');
      const head = await t.client.send('HEAD', '/v2/illformed/manifests/.INVALID');
      const { res: put } = await t.client.putManifest('illformed', '.INVALID', image.body.toString(), OCI_MANIFEST);

      expect(get.status).toBe(404);
      expect(get.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
      expect(head.status).toBe(404);
      expect(put.status).toBe(400);
      expect(put.json()).toMatchObject({ errors: [{ code: 'TAG_INVALID' }] });
    });

    it('rejects a PUT by digest whose body hashes to another digest', async () => {
      const image = await t.client.pushImage('mismatch', 'v1');
      const { res } = await t.client.putManifest('mismatch', `sha256:${'0'.repeat(64)}`, image.body.toString(), OCI_MANIFEST);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errors: [{ code: 'DIGEST_INVALID' }] });
    });
  });

  describe('referrers', () => {
    it('lists manifests and indexes whose subject is the digest, with the artifactType filter', async () => {
      const subject = await t.client.pushImage('refs', 'v1');
      const subjectDescriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size };
      await t.client.pushBlob('refs', '{}');
      const sbom = Buffer.from('sbom');
      const sbomDigest = await t.client.pushBlob('refs', sbom);
      const artifact = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/spdx+json',
        config: { mediaType: OCI_EMPTY, digest: EMPTY_DIGEST, size: 2 },
        layers: [{ mediaType: 'application/spdx+json', digest: sbomDigest, size: sbom.length }],
        subject: subjectDescriptor,
        annotations: { 'org.example': 'yes' },
      };
      const pushed = await t.client.putManifest('refs', 'sbom', artifact, OCI_MANIFEST);
      expect(pushed.res.status).toBe(201);
      expect(pushed.res.headers['oci-subject']).toBe(subject.digest);

      const index = { schemaVersion: 2, mediaType: OCI_INDEX, artifactType: 'application/vnd.example.sig', manifests: [], subject: subjectDescriptor };
      const signed = await t.client.putManifest('refs', 'sig', index, OCI_INDEX);
      expect(signed.res.status).toBe(201);

      const all = await t.client.send('GET', `/v2/refs/referrers/${subject.digest}`);
      expect(all.status).toBe(200);
      expect(all.headers['content-type']).toBe(OCI_INDEX);
      const listed = all.json<{ manifests: { digest: string; artifactType: string; annotations?: object }[] }>().manifests;
      expect(listed.map((m) => m.digest).sort()).toEqual([pushed.digest, signed.digest].sort());
      expect(listed.find((m) => m.digest === pushed.digest)).toMatchObject({ artifactType: 'application/spdx+json', annotations: { 'org.example': 'yes' } });

      const filtered = await t.client.send('GET', `/v2/refs/referrers/${subject.digest}?artifactType=application/vnd.example.sig`);
      expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
      expect(filtered.json<{ manifests: { digest: string }[] }>().manifests.map((m) => m.digest)).toEqual([signed.digest]);
    });

    it('answers an empty index, never 404, for a valid digest nothing refers to', async () => {
      const res = await t.client.send('GET', `/v2/refs/referrers/sha256:${'a'.repeat(64)}`);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    });
  });

  describe('tags list and catalog', () => {
    it('lists tags in lexical order with n/last pagination and a Link header', async () => {
      const image = await t.client.pushImage('paged', 'b');
      for (const tag of ['a', 'C', 'c', 'd']) await t.client.putManifest('paged', tag, image.body.toString(), OCI_MANIFEST);
      const first = await t.client.send('GET', '/v2/paged/tags/list?n=2');
      expect(first.json()).toEqual({ name: 'paged', tags: ['C', 'a'] });
      expect(first.headers['link']).toBe('</v2/paged/tags/list?n=2&last=a>; rel="next"');
      const second = await t.client.send('GET', '/v2/paged/tags/list?n=2&last=a');
      expect(second.json()).toEqual({ name: 'paged', tags: ['b', 'c'] });
      const last = await t.client.send('GET', '/v2/paged/tags/list?n=2&last=c');
      expect(last.json()).toEqual({ name: 'paged', tags: ['d'] });
      expect(last.headers['link']).toBeUndefined();
      expect((await t.client.send('GET', '/v2/paged/tags/list?n=0')).json()).toEqual({ name: 'paged', tags: [] });
    });

    it('refuses an n above the cap or malformed with PAGINATION_NUMBER_INVALID', async () => {
      for (const n of ['51', '99999999999', '-1', 'abc']) {
        const res = await t.client.send('GET', `/v2/paged/tags/list?n=${n}`);
        expect(res.status).toBe(400);
        expect(res.json()).toMatchObject({ errors: [{ code: 'PAGINATION_NUMBER_INVALID' }] });
        expect((await t.client.send('GET', `/v2/_catalog?n=${n}`)).status).toBe(400);
      }
    });

    it('paginates the catalog in lexical order', async () => {
      const first = await t.client.send('GET', '/v2/_catalog?n=3');
      const names = first.json<{ repositories: string[] }>().repositories;
      expect(names).toEqual([...names].sort());
      expect(names).toHaveLength(3);
      expect(first.headers['link']).toBe(`</v2/_catalog?n=3&last=${encodeURIComponent(names[2] as string)}>; rel="next"`);
      const next = await t.client.send('GET', `/v2/_catalog?n=3&last=${encodeURIComponent(names[2] as string)}`);
      const after = next.json<{ repositories: string[] }>().repositories;
      expect(after.every((name) => name > (names[2] as string))).toBe(true);
    });

    it('answers NAME_UNKNOWN for the tags of a repository that does not exist', async () => {
      const res = await t.client.send('GET', '/v2/no/such/repo/tags/list');
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ errors: [{ code: 'NAME_UNKNOWN' }] });
    });
  });

  describe('delete', () => {
    it('deletes a manifest by digest (202) and every tag on it then 404s', async () => {
      const image = await t.client.pushImage('del/digest', 'one');
      await t.client.putManifest('del/digest', 'two', image.body.toString(), OCI_MANIFEST);
      expect((await t.client.send('DELETE', `/v2/del/digest/manifests/${image.digest}`)).status).toBe(202);
      for (const ref of ['one', 'two', image.digest]) {
        const res = await t.client.send('GET', `/v2/del/digest/manifests/${ref}`);
        expect(res.status).toBe(404);
        expect(res.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
      }
    });

    it('deletes only the tag when deleting by tag', async () => {
      const image = await t.client.pushImage('del/tag', 'keep');
      await t.client.putManifest('del/tag', 'drop', image.body.toString(), OCI_MANIFEST);
      expect((await t.client.send('DELETE', '/v2/del/tag/manifests/drop')).status).toBe(202);
      expect((await t.client.send('GET', '/v2/del/tag/manifests/drop')).status).toBe(404);
      expect((await t.client.send('GET', '/v2/del/tag/manifests/keep')).status).toBe(200);
    });

    it('refuses to delete a manifest an index in the repository references', async () => {
      const child = await t.client.pushImage('del/index', 'child');
      const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.size, platform: { architecture: 'amd64', os: 'linux' } }],
      };
      const pushed = await t.client.putManifest('del/index', 'multi', index, OCI_INDEX);
      expect(pushed.res.status).toBe(201);
      const refused = await t.client.send('DELETE', `/v2/del/index/manifests/${child.digest}`);
      expect(refused.status).toBe(409);
      expect((await t.client.send('GET', `/v2/del/index/manifests/${child.digest}`)).status).toBe(200);
      expect((await t.client.send('DELETE', `/v2/del/index/manifests/${pushed.digest}`)).status).toBe(202);
      expect((await t.client.send('DELETE', `/v2/del/index/manifests/${child.digest}`)).status).toBe(202);
    });
  });
});
