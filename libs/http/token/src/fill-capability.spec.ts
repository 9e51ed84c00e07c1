import { verifyToken, type AccessRecord } from '@cargohold/auth';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { createAuthToken, FILL_CAPABILITY_TTL_MS } from './auth-token';

const admin = { accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/admin' };
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const REGISTRY = '000000000000:us-east-1';
const repo = { registry: REGISTRY, name: 'hub/library/app' };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const rule = { rulePrefix: 'hub', upstream: 'registry-1.docker.io' };

function setup() {
  const storage = createMemoryStorage();
  let now = new Date('2026-06-01T00:00:00Z');
  const key = Buffer.alloc(32, 9);
  const service = createAuthToken({
    tokenKey: key,
    repositories: storage.repositories,
    registries: storage.registries,
    identityPolicies: (arn) => (arn === admin.arn ? [ADMIN_POLICY] : []),
    clock: { now: () => now },
  });
  const capability = service.fillCapability(admin, repo, { digest: DIGEST, ...rule });
  const ask = (access: readonly AccessRecord[], token = capability, registry = REGISTRY) =>
    service.authorizer.authorize({ registry, access, capability: token });
  return { service, key, capability, ask, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const read = (digest = DIGEST, repository = repo.name): AccessRecord => ({ action: 'ecr:GetDownloadUrlForLayer', repository, digest });

describe('pull-through fill capabilities', () => {
  it('name the caller, the registry, the blob and the rule', () => {
    const { capability, key } = setup();
    expect(verifyToken(capability, key, { now: new Date('2026-06-01T00:00:00Z'), registry: REGISTRY })).toMatchObject({
      ok: true,
      claims: { principalArn: admin.arn, registry: REGISTRY, fill: { repository: repo.name, digest: DIGEST, ...rule } },
    });
  });

  it('read and import their one blob, and hand the route the rule they are bound to', async () => {
    const { ask } = setup();
    const imports: AccessRecord[] = [
      { action: 'ecr:BatchImportUpstreamImage', repository: repo.name },
      { action: 'ecr:CreateRepository', repository: repo.name },
    ];
    await expect(ask([read()])).resolves.toEqual({ allowed: true, principal: admin, fill: { repository: repo.name, digest: DIGEST, ...rule } });
    await expect(ask([{ action: 'ecr:BatchCheckLayerAvailability', repository: repo.name, digest: DIGEST }])).resolves.toMatchObject({ allowed: true });
    await expect(ask(imports)).resolves.toMatchObject({ allowed: true });
  });

  it('are no credential for another blob, another repository, a manifest or an upload', async () => {
    const { ask } = setup();
    const refusals = [
      [read(OTHER)],
      [read(DIGEST, 'hub/library/other')],
      [{ action: 'ecr:BatchGetImage', repository: repo.name }],
      [{ action: 'ecr:UploadLayerPart', repository: repo.name, uploadId: 'u-1' }],
      [],
    ] as const;
    for (const access of refusals) await expect(ask(access)).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
  });

  it('expire within minutes', async () => {
    const { ask, later } = setup();
    later(FILL_CAPABILITY_TTL_MS - 1000);
    await expect(ask([read()])).resolves.toMatchObject({ allowed: true });
    later(1000);
    await expect(ask([read()])).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated', message: expect.stringContaining('expired') });
  });

  it('refuse a tampered blob or rule, another registry, and tokens that are no fill capability', async () => {
    const { ask, capability, service } = setup();
    const [version, payload, mac] = capability.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = (change: object) =>
      `${version}.${Buffer.from(JSON.stringify({ ...claims, fl: { ...claims.fl, ...change } })).toString('base64url')}.${mac}`;
    const upload = service.uploadCapability(admin, repo, 'u-1');
    const plain = service.issue(admin, REGISTRY).token;

    await expect(ask([read(OTHER)], tampered({ digest: OTHER }))).resolves.toMatchObject({ allowed: false, message: expect.stringContaining('invalid') });
    await expect(ask([read()], tampered({ src: 'evil.example.com' }))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
    await expect(ask([read()], capability, '111111111111:us-east-1')).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
    await expect(ask([read()], upload)).resolves.toMatchObject({ allowed: false, message: 'This is not a blob URL.' });
    await expect(ask([read()], plain)).resolves.toMatchObject({ allowed: false, message: 'This is not a blob URL.' });
  });
});
