import { verifyToken } from '@cargohold/auth';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { createAuthToken } from './auth-token';

const admin = { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/admin' };
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function setup(allowAnonymous = false) {
  const storage = createMemoryStorage();
  const now = new Date('2026-06-01T00:00:00Z');
  const key = Buffer.alloc(32, 9);
  const service = createAuthToken({
    tokenKey: key,
    repositories: storage.repositories,
    registries: storage.registries,
    identityPolicies: (arn) => (arn === admin.arn ? [ADMIN_POLICY] : []),
    clock: { now: () => now },
    allowAnonymous,
  });
  return { service, key, now };
}

describe('createAuthToken', () => {
  it('issues 12-hour tokens bound to the principal and the registry', () => {
    const { service, key, now } = setup();
    const { token, expiresAt } = service.issue(admin, '000000000000:us-east-1');
    expect(expiresAt.getTime() - now.getTime()).toBe(12 * 3600 * 1000);
    const verified = verifyToken(token, key, { now, registry: '000000000000:us-east-1' });
    expect(verified).toMatchObject({ ok: true, claims: { accountId: '000000000000', principalArn: admin.arn } });
    expect(verifyToken(token, key, { now, registry: '111111111111:us-east-1' })).toEqual({ ok: false, reason: 'wrong-registry' });
  });

  it('authorizes /v2/ requests carrying a token and challenges the rest', async () => {
    const { service } = setup();
    const { token } = service.issue(admin, '000000000000:us-east-1');
    const authorization = `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`;
    const request = { registry: '000000000000:us-east-1', access: [{ action: 'ecr:BatchGetImage' as const, repository: 'team/app' }] };
    await expect(service.authorizer.authorize({ ...request, authorization })).resolves.toMatchObject({ allowed: true });
    await expect(service.authorizer.authorize(request)).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
  });

  it('lets everything through when anonymous access is on', async () => {
    const { service } = setup(true);
    await expect(service.authorizer.authorize({ registry: 'x', access: [{ action: 'ecr:PutImage', repository: 'a/b' }] })).resolves.toMatchObject({
      allowed: true,
    });
  });

  it('builds download URLs whose token is short-lived', () => {
    const { service, key, now } = setup();
    const url = new URL(service.downloadUrl('127.0.0.1:5000', { registry: '000000000000:us-east-1', name: 'team/app' }, 'sha256:abc', admin));
    expect(url.pathname).toBe('/v2/team/app/blobs/sha256:abc');
    const token = url.searchParams.get('X-Cargohold-Token') as string;
    expect(verifyToken(token, key, { now: new Date(now.getTime() + 11 * 60 * 1000) })).toEqual({ ok: false, reason: 'expired' });
  });

  it('issues upload capabilities for one upload of one repository, living as long as an idle session', async () => {
    const { service, key, now } = setup();
    const repo = { registry: '000000000000:us-east-1', name: 'team/app' };
    const uploadId = '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
    const capability = service.uploadCapability(admin, repo, uploadId);

    expect(verifyToken(capability, key, { now, registry: repo.registry })).toMatchObject({
      ok: true,
      claims: { principalArn: admin.arn, registry: repo.registry, upload: { repository: 'team/app', uploadId } },
    });
    expect(verifyToken(capability, key, { now: new Date(now.getTime() + 60 * 60 * 1000) })).toEqual({ ok: false, reason: 'expired' });
    const part = { registry: repo.registry, access: [{ action: 'ecr:UploadLayerPart' as const, repository: 'team/app', uploadId }] };
    await expect(service.authorizer.authorize({ ...part, capability })).resolves.toMatchObject({ allowed: true });
  });
});
