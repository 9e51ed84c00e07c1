import type { AccessDecision, AccessRequest, Authorizer } from '@cargohold/auth';
import type { HttpRequest } from '@cargohold/lambda-kit';
import { createRegistry } from '@cargohold/registry-core';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { createDistributionApi } from './distribution-api';

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
      expect(authorizer.seen).toEqual([
        { action, registry: '000000000000:us-east-1', repository: 'team/app', authorization: 'Basic xyz', ...(blobRead ? { digest: DIGEST } : {}) },
      ]);
      expect(res.status).toBe(403);
    });

    it('asks for every upload action when one POST carries the whole blob', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } }));
      await api(authorizer)(request('POST', `/v2/team/app/blobs/uploads/?digest=${DIGEST}`));
      expect(authorizer.seen.map((r) => r.action)).toEqual(['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']);
    });

    it('asks registry-wide for the catalog and only authentication for the version check', async () => {
      const authorizer = new RecordingAuthorizer(() => ({ allowed: true, principal: { accountId: '1', arn: '*' } }));
      await api(authorizer)(request('GET', '/v2/_catalog'));
      await api(authorizer)(request('GET', '/v2/'));
      expect(authorizer.seen.map((r) => [r.action, r.repository])).toEqual([
        ['ecr:DescribeRepositories', undefined],
        [null, undefined],
      ]);
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
});
