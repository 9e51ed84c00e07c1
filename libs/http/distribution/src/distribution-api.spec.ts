import { issueToken, type AccessDecision, type AccessRequest, type Authorizer } from '@cargohold/auth';
import type { HttpRequest } from '@cargohold/lambda-kit';
import { createRegistry } from '@cargohold/registry-core';
import { digestOf } from '@cargohold/oci';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { bodyOf } from '@cargohold/storage-testing';
import pino from 'pino';
import { createDistributionApi } from './distribution-api';
import { gatewayUploads } from './upload-locations';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const UPLOAD = '00000000-0000-4000-8000-000000000000';

async function* emptyBody(): AsyncIterable<Uint8Array> {
  yield* [];
}

function request(method: string, path: string, headers: Record<string, string> = {}): HttpRequest {
  const [p = '', q = ''] = path.split('?');
  return { method, path: p, query: new URLSearchParams(q), headers, body: emptyBody() };
}

class RecordingAuthorizer implements Authorizer {
  readonly seen: AccessRequest[] = [];
  constructor(private readonly decide: (r: AccessRequest) => AccessDecision) {}
  async authorize(r: AccessRequest) {
    this.seen.push(r);
    return this.decide(r);
  }
}

function api(authorizer: Authorizer) {
  return createDistributionApi({
    registry: createRegistry({ storage: createMemoryStorage() }),
    authorizer,
    registryFor: () => '000000000000:us-east-1',
  });
}

describe('createDistributionApi', () => {
  describe('authorization seam', () => {
    it.each([
      ['GET', `/v2/team/app/manifests/latest`, 'ecr:BatchGetImage'],
      ['HEAD', `/v2/team/app/manifests/latest`, 'ecr:BatchGetImage'],
      ['PUT', `/v2/team/app/manifests/latest`, 'ecr:PutImage'],
      ['DELETE', `/v2/team/app/manifests/${DIGEST}`, 'ecr:BatchDeleteImage'],
      ['GET', `/v2/team/app/blobs/${DIGEST}`, 'ecr:GetDownloadUrlForLayer'],
      ['HEAD', `/v2/team/app/blobs/${DIGEST}`, 'ecr:BatchCheckLayerAvailability'],
      ['DELETE', `/v2/team/app/blobs/${DIGEST}`, 'ecr:BatchDeleteImage'],
      ['POST', `/v2/team/app/blobs/uploads/`, 'ecr:InitiateLayerUpload'],
      ['GET', `/v2/team/app/blobs/uploads/${UPLOAD}`, 'ecr:UploadLayerPart'],
      ['PATCH', `/v2/team/app/blobs/uploads/${UPLOAD}`, 'ecr:UploadLayerPart'],
      ['PUT', `/v2/team/app/blobs/uploads/${UPLOAD}?digest=${DIGEST}`, 'ecr:CompleteLayerUpload'],
      ['DELETE', `/v2/team/app/blobs/uploads/${UPLOAD}`, 'ecr:UploadLayerPart'],
      ['GET', `/v2/team/app/tags/list`, 'ecr:ListImages'],
      ['GET', `/v2/team/app/referrers/${DIGEST}`, 'ecr:BatchGetImage'],
    ])('%s %s asks for %s on the repository', async (method, path, action) => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: false, reason: 'denied', message: 'no' }));
      const res = await api(authorizer)(request(method, path, { authorization: 'Basic xyz', host: 'localhost:5000' }));
      // Blob reads also name the blob, so a download-only token can be held to it.
      const blobRead = /\/blobs\/sha256:/.test(path) && method !== 'DELETE';
      // Requests on one upload session name it, so an upload capability can be held to it.
      const uploadSession = path.includes(`/uploads/${UPLOAD}`);
      expect(authorizer.seen).toEqual([
        {
          registry: '000000000000:us-east-1',
          access: [{ action, repository: 'team/app', ...(blobRead ? { digest: DIGEST } : {}), ...(uploadSession ? { uploadId: UPLOAD } : {}) }],
          authorization: 'Basic xyz',
        },
      ]);
      expect(res.status).toBe(403);
    });

    it('asks for every upload action, in one authorization, when one POST carries the whole blob', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } }));
      await api(authorizer)(request('POST', `/v2/team/app/blobs/uploads/?digest=${DIGEST}`));
      expect(authorizer.seen.map((r) => r.access.map((a) => a.action))).toEqual([
        ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
      ]);
    });

    it('asks for the part as well as the completion when the closing PUT carries bytes', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: false, reason: 'denied', message: 'no' }));
      await api(authorizer)(request('PUT', `/v2/team/app/blobs/uploads/${UPLOAD}?digest=${DIGEST}`, { 'content-length': '3' }));
      await api(authorizer)(request('PUT', `/v2/team/app/blobs/uploads/${UPLOAD}?digest=${DIGEST}`, { 'content-length': '0' }));
      expect(authorizer.seen.map((r) => r.access.map((a) => a.action))).toEqual([
        ['ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
        ['ecr:CompleteLayerUpload'],
      ]);
    });

    it('asks registry-wide for the catalog and only authentication for the version check', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } }));
      await api(authorizer)(request('GET', '/v2/_catalog'));
      await api(authorizer)(request('GET', '/v2/'));
      expect(authorizer.seen.map((r) => r.access.map((a) => [a.action, a.repository]))).toEqual([[['ecr:DescribeRepositories', undefined]], []]);
    });

    it('filters a catalog page with one authorization for all its names', async () => {
      const registry = createRegistry({ storage: createMemoryStorage() });
      for (const name of ['a/one', 'b/two', 'c/three']) await registry.repositoryAdmin.create({ registry: '000000000000:us-east-1', name });
      const authorizer = new RecordingAuthorizer((r) =>
        r.access.some((a) => a.repository === 'b/two')
          ? { allowed: false, reason: 'denied', message: 'no', granted: r.access.map((a) => a.repository !== 'b/two') }
          : { allowed: true, principal: { accountId: '1', arn: '*' } },
      );
      const api = createDistributionApi({ registry, authorizer, registryFor: () => '000000000000:us-east-1' });
      const res = await api(request('GET', '/v2/_catalog'));
      expect(JSON.parse(String(res.body))).toEqual({ repositories: ['a/one', 'c/three'] });
      expect(authorizer.seen.map((r) => r.access.map((a) => a.repository))).toEqual([[undefined], ['a/one', 'b/two', 'c/three']]);
    });

    it('challenges an unauthenticated caller with 401 and WWW-Authenticate Basic', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: false, reason: 'unauthenticated', message: 'token required' }));
      const res = await api(authorizer)(request('GET', '/v2/', { host: 'registry.example:5000' }));
      expect(res.status).toBe(401);
      expect(res.headers['WWW-Authenticate']).toBe('Basic realm="http://registry.example:5000/",service="ecr.amazonaws.com"');
      expect(JSON.parse(String(res.body))).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: 'token required' }] });
    });

    it('answers 403 DENIED without touching storage when the principal may not act', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: false, reason: 'denied', message: 'not allowed' }));
      const res = await api(authorizer)(request('POST', '/v2/team/app/blobs/uploads/'));
      expect(res.status).toBe(403);
      expect(JSON.parse(String(res.body))).toMatchObject({ errors: [{ code: 'DENIED' }] });
    });
  });

  describe('route table', () => {
    const allowAll = () => new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } }));

    it.each([
      ['POST', '/v2/', 'GET, HEAD'],
      ['DELETE', '/v2/_catalog', 'GET'],
      ['POST', `/v2/team/app/manifests/latest`, 'GET, HEAD, PUT, DELETE'],
    ])('answers %s %s with 405 and Allow: %s before any authorization', async (method, path, allow) => {
      const authorizer = allowAll();
      const res = await api(authorizer)(request(method, path));
      expect({ status: res.status, allow: res.headers['Allow'] }).toEqual({ status: 405, allow });
      expect(authorizer.seen).toEqual([]);
    });

    it('answers an unknown path with 404', async () => {
      const res = await api(allowAll())(request('GET', '/v2/team/app/nothing-here'));
      expect(res.status).toBe(404);
    });

    it('serves the version check on /v2 with or without the trailing slash', async () => {
      for (const path of ['/v2/', '/v2']) expect((await api(allowAll())(request('GET', path))).status).toBe(200);
    });
  });

  describe('upload gateway', () => {
    const CALLER = { accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/ci' };
    const REGISTRY = '111122223333:eu-west-1';
    const allow = () => new RecordingAuthorizer(() => ({ allowed: true, principal: CALLER }));
    const capability = issueToken(
      { accountId: CALLER.accountId, principalArn: CALLER.arn, registry: REGISTRY, upload: { repository: 'team/app', uploadId: UPLOAD } },
      Buffer.alloc(32, 1),
      { now: new Date() },
    ).token;
    const issued: Array<[string, string, string]> = [];
    const issue = (caller: { arn: string }, repo: { name: string }, id: string) => {
      issued.push([caller.arn, repo.name, id]);
      return `cap-${id}`;
    };
    const gatewayApi = (authorizer: Authorizer) =>
      createDistributionApi({
        registry: createRegistry({ storage: createMemoryStorage() }),
        authorizer,
        registryFor: () => '000000000000:us-east-1',
        role: 'upload-gateway',
        uploadLocations: gatewayUploads('', issue),
      });

    it('starts uploads on the gateway: its URL and a capability for the caller, and no chunk advice', async () => {
      const api = createDistributionApi({
        registry: createRegistry({ storage: createMemoryStorage() }),
        authorizer: allow(),
        registryFor: () => REGISTRY,
        requestLimits: { maxRequestBytes: 6_000_000, chunkMinLength: 4 * 1024 * 1024 },
        uploadLocations: gatewayUploads('https://uploads.example.com/', issue),
      });
      const res = await api(request('POST', '/v2/team/app/blobs/uploads/'));
      const id = String(res.headers['Docker-Upload-UUID']);
      expect(res.status).toBe(202);
      expect(res.headers['Location']).toBe(`https://uploads.example.com/v2/team/app/blobs/uploads/${id}?X-Cargohold-Upload=cap-${id}`);
      expect(res.headers['OCI-Chunk-Min-Length']).toBeUndefined();
      expect(issued.at(-1)).toEqual([CALLER.arn, 'team/app', id]);
    });

    it('serves nothing but upload sessions', async () => {
      const authorizer = allow();
      for (const [method, path] of [
        ['GET', '/v2/'],
        ['GET', '/v2/team/app/manifests/latest'],
        ['POST', '/v2/team/app/blobs/uploads/'],
        ['HEAD', `/v2/team/app/blobs/${DIGEST}`],
        ['GET', `/v2/team/app/blobs/${DIGEST}?X-Cargohold-Upload=${capability}`],
      ] as const) {
        expect({ method, path, status: (await gatewayApi(authorizer)(request(method, path))).status }).toEqual({ method, path, status: 404 });
      }
      expect(authorizer.seen).toEqual([]);
    });

    it('answers 401 with an OCI error to a session request without its capability, even with credentials', async () => {
      const authorizer = allow();
      const res = await gatewayApi(authorizer)(request('PATCH', `/v2/team/app/blobs/uploads/${UPLOAD}`, { authorization: 'Basic xyz' }));
      expect(res.status).toBe(401);
      expect(JSON.parse(String(res.body))).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
      expect(authorizer.seen).toEqual([]);
    });

    it('serves a blob read only with a fill capability, asking with it in the registry it names', async () => {
      const fill = issueToken(
        {
          accountId: CALLER.accountId,
          principalArn: CALLER.arn,
          registry: '111122223333:eu-west-1',
          fill: { repository: 'hub/app', digest: DIGEST, rulePrefix: 'hub', upstream: 'registry-1.docker.io' },
        },
        Buffer.alloc(32, 1),
        { now: new Date() },
      ).token;
      const authorizer = new RecordingAuthorizer(() => ({ allowed: false, reason: 'unauthenticated', message: 'This blob URL has expired' }));

      const res = await gatewayApi(authorizer)(request('GET', `/v2/hub/app/blobs/${DIGEST}?X-Cargohold-Fill=${fill}`));

      expect(res.status).toBe(401);
      expect(authorizer.seen).toEqual([
        { registry: '111122223333:eu-west-1', access: [{ action: 'ecr:GetDownloadUrlForLayer', repository: 'hub/app', digest: DIGEST }], capability: fill },
      ]);
    });

    it('asks with the capability for its upload, in the registry the capability names', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: false, reason: 'unauthenticated', message: 'This upload URL has expired' }));
      const res = await gatewayApi(authorizer)(request('PATCH', `/v2/team/app/blobs/uploads/${UPLOAD}?X-Cargohold-Upload=${capability}`));
      expect(res.status).toBe(401);
      expect(authorizer.seen).toEqual([
        { registry: REGISTRY, access: [{ action: 'ecr:UploadLayerPart', repository: 'team/app', uploadId: UPLOAD }], capability },
      ]);
    });
  });

  it('never leaks internals: an unexpected failure is a bare 500', async () => {
    const broken: Authorizer = { authorize: async () => Promise.reject(new Error('database password is hunter2')) };
    const res = await api(broken)(request('GET', '/v2/'));
    expect(res.status).toBe(500);
    expect(String(res.body)).not.toContain('hunter2');
  });

  it('sends no body on HEAD errors', async () => {
    const res = await api(new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } })))(
      request('HEAD', `/v2/team/app/blobs/${DIGEST}`),
    );
    expect(res.status).toBe(404);
    expect(res.body).toBeUndefined();
  });

  it('logs stored bytes found corrupt at error, while the client gets its clean 404', async () => {
    const storage = createMemoryStorage();
    const registry = createRegistry({ storage });
    const repo = { registry: '000000000000:us-east-1', name: 'team/app' };
    const layer = Buffer.from('a layer');
    await registry.uploads.putMonolithic(repo, digestOf(layer), bodyOf(layer));
    await storage.blobs.delete(digestOf(layer));
    storage.blobs.keep(digestOf(layer), layer.subarray(0, 2));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const allow = new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } }));
    const handler = createDistributionApi({ registry, authorizer: allow, registryFor: () => repo.registry, logger });

    const res = await handler(request('HEAD', `/v2/team/app/blobs/${digestOf(layer)}`, { authorization: 'Basic xyz', host: 'localhost:5000' }));
    expect(res.status).toBe(404);
    expect(lines.map((line) => JSON.parse(line) as { level: number; msg: string })).toEqual([
      expect.objectContaining({ level: 50, msg: 'stored bytes failed verification and were quarantined' }),
    ]);
  });
});
