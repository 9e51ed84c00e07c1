import { encodeAuthorizationToken, issueToken, type AccessRecord, type AccessRequest, type TokenClaims } from '@cargohold/auth';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { AccessService, type AccessCheck, type IdentityPolicySource } from './access';
import { TokenAuthorizer } from './token-authorizer';
import { InvalidParameterError } from './ecr-errors';

const OWNER = '111122223333';
const OTHER = '444455556666';
const REGISTRY = `${OWNER}:us-east-1`;
const ALICE = { accountId: OWNER, arn: `arn:aws:iam::${OWNER}:user/alice` };
const BOB = { accountId: OTHER, arn: `arn:aws:iam::${OTHER}:user/bob` };
const APP_ARN = `arn:aws:ecr:us-east-1:${OWNER}:repository/team/app`;
const NOW = new Date('2026-01-01T00:00:00Z');
const clock = { now: () => NOW };

const statement = (effect: 'Allow' | 'Deny', action: string | string[], extra: object = {}) => ({ Effect: effect, Action: action, ...extra });
const document = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const text = (...statements: object[]) => JSON.stringify(document(...statements));

/** AccessService over memory storage; identity policies by principal ARN; team/app exists. */
async function setup(identity: Record<string, object[]> = {}) {
  const storage = createMemoryStorage();
  await storage.repositories.create({ registry: REGISTRY, name: 'team/app' }, NOW);
  await storage.repositories.create({ registry: REGISTRY, name: 'team/other' }, NOW);
  const source: IdentityPolicySource = (arn) => identity[arn] ?? [];
  const access = new AccessService(storage.repositories, storage.registries, source, clock);
  const setRepositoryPolicy = (name: string, policyText: string) =>
    storage.repositories.update({ registry: REGISTRY, name }, (current) => ({ ...current, policyText }));
  const setRegistryPolicy = (policyText: string) => storage.registries.update(REGISTRY, (current) => ({ ...current, policyText }));
  return { storage, access, setRepositoryPolicy, setRegistryPolicy };
}

const pull = (principal = ALICE, overrides: Partial<AccessCheck> = {}): AccessCheck => ({
  principal,
  action: 'ecr:BatchGetImage',
  registryKey: REGISTRY,
  repositoryName: 'team/app',
  ...overrides,
});

describe('AccessService', () => {
  describe('allows, within one account', () => {
    it('denies by default: no policy allows anything', async () => {
      const { access } = await setup();

      await expect(access.allows(pull())).resolves.toBe(false);
    });

    it('allows what an identity policy allows, and only that', async () => {
      const { access } = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:BatchGetImage', { Resource: APP_ARN }))] });

      await expect(access.allows(pull())).resolves.toBe(true);
      await expect(access.allows(pull(ALICE, { action: 'ecr:PutImage' }))).resolves.toBe(false);
      await expect(access.allows(pull(ALICE, { repositoryName: 'team/other' }))).resolves.toBe(false);
    });

    it('allows what a repository policy grants the principal, on that repository only', async () => {
      const { access, setRepositoryPolicy } = await setup();
      await setRepositoryPolicy('team/app', text(statement('Allow', 'ecr:BatchGetImage', { Principal: { AWS: ALICE.arn } })));

      await expect(access.allows(pull())).resolves.toBe(true);
      await expect(access.allows(pull(ALICE, { repositoryName: 'team/other' }))).resolves.toBe(false);
    });

    it('allows what the registry policy grants, on every repository of the registry', async () => {
      const { access, setRegistryPolicy } = await setup();
      await setRegistryPolicy(
        text(statement('Allow', 'ecr:BatchGetImage', { Principal: { AWS: ALICE.arn }, Resource: `arn:aws:ecr:us-east-1:${OWNER}:repository/*` })),
      );

      await expect(access.allows(pull())).resolves.toBe(true);
      await expect(access.allows(pull(ALICE, { repositoryName: 'team/other' }))).resolves.toBe(true);
      await expect(access.allows(pull(ALICE, { registryKey: `${OWNER}:eu-west-1` }))).resolves.toBe(false);
    });

    it('lets an explicit deny in the repository policy win over an identity allow', async () => {
      const { access, setRepositoryPolicy } = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*' }))] });
      await setRepositoryPolicy('team/app', text(statement('Deny', 'ecr:BatchGetImage', { Principal: '*' })));

      await expect(access.allows(pull())).resolves.toBe(false);
      await expect(access.allows(pull(ALICE, { action: 'ecr:PutImage' }))).resolves.toBe(true);
      await expect(access.allows(pull(ALICE, { repositoryName: 'team/other' }))).resolves.toBe(true);
    });

    it('applies the registry policy only to replication and creation under REGISTRY_POLICY_SCOPE V1', async () => {
      const { access, storage, setRegistryPolicy } = await setup();
      const everything = `arn:aws:ecr:us-east-1:${OWNER}:repository/*`;
      await setRegistryPolicy(text(statement('Allow', ['ecr:BatchGetImage', 'ecr:CreateRepository'], { Principal: { AWS: ALICE.arn }, Resource: everything })));
      await storage.registries.update(REGISTRY, (current) => ({ ...current, accountSettings: { REGISTRY_POLICY_SCOPE: 'V1' } }));

      await expect(access.allows(pull())).resolves.toBe(false);
      await expect(access.allows(pull(ALICE, { action: 'ecr:CreateRepository' }))).resolves.toBe(true);
    });

    it('lets an explicit deny in the registry policy win over a repository allow', async () => {
      const { access, setRepositoryPolicy, setRegistryPolicy } = await setup();
      await setRepositoryPolicy('team/app', text(statement('Allow', 'ecr:*', { Principal: { AWS: ALICE.arn } })));
      await setRegistryPolicy(text(statement('Deny', 'ecr:BatchGetImage', { Principal: '*', Resource: '*' })));

      await expect(access.allows(pull())).resolves.toBe(false);
      await expect(access.allows(pull(ALICE, { action: 'ecr:GetDownloadUrlForLayer' }))).resolves.toBe(true);
    });

    it('lets an explicit deny in an identity policy win over a repository allow', async () => {
      const { access, setRepositoryPolicy } = await setup({ [ALICE.arn]: [document(statement('Deny', 'ecr:BatchGetImage', { Resource: '*' }))] });
      await setRepositoryPolicy('team/app', text(statement('Allow', 'ecr:*', { Principal: { AWS: ALICE.arn } })));

      await expect(access.allows(pull())).resolves.toBe(false);
    });

    it('reads the current policies on every check: a new policy applies to the next request', async () => {
      const { access, setRepositoryPolicy } = await setup();
      await setRepositoryPolicy('team/app', text(statement('Allow', 'ecr:BatchGetImage', { Principal: { AWS: ALICE.arn } })));
      await expect(access.allows(pull())).resolves.toBe(true);

      await setRepositoryPolicy('team/app', text(statement('Deny', 'ecr:BatchGetImage', { Principal: { AWS: ALICE.arn } })));

      await expect(access.allows(pull())).resolves.toBe(false);
    });
  });

  describe('allows, across accounts', () => {
    const bobMayPull = { [BOB.arn]: [document(statement('Allow', 'ecr:BatchGetImage', { Resource: APP_ARN }))] };
    const grantBob = text(statement('Allow', 'ecr:BatchGetImage', { Principal: { AWS: `arn:aws:iam::${OTHER}:root` } }));

    it('refuses a caller whose own account allows it but the repository does not', async () => {
      const { access } = await setup(bobMayPull);

      await expect(access.allows(pull(BOB))).resolves.toBe(false);
    });

    it('refuses a caller the repository grants but whose own account does not allow it', async () => {
      const { access, setRepositoryPolicy } = await setup();
      await setRepositoryPolicy('team/app', grantBob);

      await expect(access.allows(pull(BOB))).resolves.toBe(false);
    });

    it('allows a caller when both its identity policy and the repository policy allow', async () => {
      const { access, setRepositoryPolicy } = await setup(bobMayPull);
      await setRepositoryPolicy('team/app', grantBob);

      await expect(access.allows(pull(BOB))).resolves.toBe(true);
      await expect(access.allows(pull(BOB, { action: 'ecr:PutImage' }))).resolves.toBe(false);
    });

    it('accepts the registry policy as the resource side', async () => {
      const { access, setRegistryPolicy } = await setup(bobMayPull);
      await setRegistryPolicy(text(statement('Allow', 'ecr:BatchGetImage', { Principal: { AWS: OTHER }, Resource: APP_ARN })));

      await expect(access.allows(pull(BOB))).resolves.toBe(true);
    });
  });

  describe('allows, the resource and the request context', () => {
    it('checks registry-wide actions against every repository of the registry', async () => {
      const { access } = await setup({
        [ALICE.arn]: [document(statement('Allow', 'ecr:DescribeRepositories', { Resource: `arn:aws:ecr:us-east-1:${OWNER}:repository/*` }))],
      });

      await expect(access.allows(pull(ALICE, { action: 'ecr:DescribeRepositories', repositoryName: undefined }))).resolves.toBe(true);
    });

    it('checks GetAuthorizationToken against resource "*", as ECR does', async () => {
      const onRepositories = await setup({
        [ALICE.arn]: [document(statement('Allow', 'ecr:GetAuthorizationToken', { Resource: `arn:aws:ecr:us-east-1:${OWNER}:repository/*` }))],
      });
      const onAll = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:GetAuthorizationToken', { Resource: '*' }))] });
      const check = pull(ALICE, { action: 'ecr:GetAuthorizationToken', repositoryName: undefined });

      await expect(onRepositories.access.allows(check)).resolves.toBe(false);
      await expect(onAll.access.allows(check)).resolves.toBe(true);
    });

    it('evaluates aws:SourceIp conditions, reading IPv4-mapped IPv6 addresses as IPv4', async () => {
      const { access } = await setup({
        [ALICE.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }))],
      });

      await expect(access.allows(pull(ALICE, { sourceIp: '::ffff:10.1.2.3' }))).resolves.toBe(true);
      await expect(access.allows(pull(ALICE, { sourceIp: '192.168.0.1' }))).resolves.toBe(false);
      await expect(access.allows(pull(ALICE))).resolves.toBe(false);
    });

    it('evaluates aws:CurrentTime conditions against the clock', async () => {
      const { access } = await setup({
        [ALICE.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2026-01-01T00:00:01Z' } } }))],
        [BOB.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2025-12-31T23:59:59Z' } } }))],
      });

      await expect(access.allows(pull())).resolves.toBe(true);
      await expect(access.allows(pull(BOB, { registryKey: `${OTHER}:us-east-1` }))).resolves.toBe(false);
    });

    it('refuses to decide over a stored policy it cannot parse (InvalidParameter)', async () => {
      const { access, setRepositoryPolicy } = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*' }))] });
      await setRepositoryPolicy('team/app', '{"Statement": "not a list"}');

      await expect(access.allows(pull())).rejects.toBeInstanceOf(InvalidParameterError);
    });
  });
});

describe('TokenAuthorizer', () => {
  const KEY = new Uint8Array(32).fill(7);
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const tokenFor = (principal = ALICE, extra: Partial<Pick<TokenClaims, 'registry' | 'download' | 'upload'>> = {}, now = NOW) =>
    issueToken({ accountId: principal.accountId, principalArn: principal.arn, ...extra }, KEY, { now }).token;
  const DIGEST = `sha256:${'a'.repeat(64)}`;

  async function authorizer(identity: Record<string, object[]> = { [ALICE.arn]: [document(statement('Allow', 'ecr:BatchGetImage', { Resource: APP_ARN }))] }) {
    const { access } = await setup(identity);
    return new TokenAuthorizer(KEY, access, clock);
  }
  const PULL: AccessRecord = { action: 'ecr:BatchGetImage', repository: 'team/app' };
  const request = (authorization: string | undefined, access: readonly AccessRecord[] = [PULL]): AccessRequest => ({
    registry: REGISTRY,
    access,
    ...(authorization === undefined ? {} : { authorization }),
  });

  describe('authorize', () => {
    it('allows a valid token whose principal the policies allow, naming the principal', async () => {
      const tokens = await authorizer();

      await expect(tokens.authorize(request(basic('AWS', tokenFor())))).resolves.toEqual({ allowed: true, principal: ALICE });
    });

    it('denies (not unauthenticated) a valid token whose principal the policies do not allow', async () => {
      const tokens = await authorizer();

      const decision = await tokens.authorize(request(basic('AWS', tokenFor()), [{ action: 'ecr:PutImage', repository: 'team/app' }]));

      expect(decision).toMatchObject({ allowed: false, reason: 'denied' });
    });

    it('allows a request only when the policies allow every action it needs, saying which were granted', async () => {
      const tokens = await authorizer();
      const push: AccessRecord = { action: 'ecr:PutImage', repository: 'team/app' };

      const decision = await tokens.authorize(request(basic('AWS', tokenFor()), [PULL, push, PULL]));

      expect(decision).toMatchObject({ allowed: false, reason: 'denied', granted: [true, false, true] });
    });

    it('lets an authenticated caller through a route that needs no action', async () => {
      const tokens = await authorizer({});

      await expect(tokens.authorize(request(basic('AWS', tokenFor()), []))).resolves.toEqual({
        allowed: true,
        principal: ALICE,
      });
    });

    it.each([
      ['no Authorization header', undefined],
      ['a user other than AWS', basic('alice', 'whatever')],
      ['a forged token', basic('AWS', `v1.e30.${'A'.repeat(43)}`)],
      ['a Bearer header', 'Bearer abc'],
    ])('answers unauthenticated for %s', async (_case, authorization) => {
      const tokens = await authorizer();

      await expect(tokens.authorize(request(authorization))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
    });

    it('answers unauthenticated for an expired token', async () => {
      const tokens = await authorizer();
      const stale = tokenFor(ALICE, {}, new Date(NOW.getTime() - 13 * 60 * 60 * 1000));

      await expect(tokens.authorize(request(basic('AWS', stale)))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
    });

    it('answers unauthenticated for a token bound to another registry', async () => {
      const tokens = await authorizer();
      const elsewhere = tokenFor(ALICE, { registry: `${OWNER}:eu-west-1` });

      await expect(tokens.authorize(request(basic('AWS', elsewhere)))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
      await expect(tokens.authorize(request(basic('AWS', tokenFor(ALICE, { registry: REGISTRY }))))).resolves.toMatchObject({ allowed: true });
    });

    it('accepts the authorizationToken GetAuthorizationToken hands out, decoded by the client', async () => {
      const tokens = await authorizer();
      const [username, password] = Buffer.from(encodeAuthorizationToken(tokenFor()), 'base64').toString('utf8').split(/:(.*)/s);

      await expect(tokens.authorize(request(basic(username as string, password as string)))).resolves.toMatchObject({ allowed: true });
    });

    it('holds a download token to its one blob of its one repository', async () => {
      const tokens = await authorizer({ [ALICE.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*' }))] });
      const download = basic('AWS', tokenFor(ALICE, { download: { repository: 'team/app', digest: DIGEST } }));
      const blob: AccessRecord = { action: 'ecr:GetDownloadUrlForLayer', repository: 'team/app', digest: DIGEST };

      await expect(tokens.authorize(request(download, [blob]))).resolves.toMatchObject({ allowed: true });
      await expect(tokens.authorize(request(download, [{ ...blob, digest: `sha256:${'b'.repeat(64)}` }]))).resolves.toMatchObject({ allowed: false });
      await expect(tokens.authorize(request(download, [{ ...blob, repository: 'team/other' }]))).resolves.toMatchObject({ allowed: false });
      await expect(tokens.authorize(request(download, [{ ...blob, action: 'ecr:PutImage' }]))).resolves.toMatchObject({ allowed: false });
      await expect(tokens.authorize(request(download, [blob, PULL]))).resolves.toMatchObject({ allowed: false });
      await expect(tokens.authorize(request(download, []))).resolves.toMatchObject({ allowed: false });
    });

    describe('with an upload capability', () => {
      const UPLOAD_ID = '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
      const PART: AccessRecord = { action: 'ecr:UploadLayerPart', repository: 'team/app', uploadId: UPLOAD_ID };
      const capabilityFor = (principal = ALICE, upload = { repository: 'team/app', uploadId: UPLOAD_ID }, now = NOW) =>
        tokenFor(principal, { registry: REGISTRY, upload }, now);
      const withCapability = (capability: string, access: readonly AccessRecord[] = [PART], authorization?: string): AccessRequest => ({
        ...request(authorization, access),
        capability,
      });
      const pushAllowed = { [ALICE.arn]: [document(statement('Allow', 'ecr:*', { Resource: '*' }))] };

      it('allows its one upload without any Authorization header, as its principal', async () => {
        const tokens = await authorizer(pushAllowed);

        await expect(tokens.authorize(withCapability(capabilityFor(), [PART, { ...PART, action: 'ecr:CompleteLayerUpload' }]))).resolves.toEqual({
          allowed: true,
          principal: ALICE,
        });
      });

      it('opens no other upload, repository or action, and reads no blob', async () => {
        const tokens = await authorizer(pushAllowed);
        const capability = capabilityFor();

        for (const access of [
          [{ ...PART, uploadId: '00000000-0000-4000-8000-000000000000' }],
          [{ ...PART, repository: 'team/other' }],
          [{ ...PART, action: 'ecr:PutImage' as const }],
          [{ action: 'ecr:GetDownloadUrlForLayer' as const, repository: 'team/app', digest: DIGEST }],
          [PART, PULL],
          [],
        ]) {
          await expect(tokens.authorize(withCapability(capability, access))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
        }
      });

      it('is no credential in an Authorization header beyond its upload either', async () => {
        const tokens = await authorizer(pushAllowed);

        await expect(tokens.authorize(request(basic('AWS', capabilityFor()), [PULL]))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
      });

      it('refuses an expired, tampered, unbound or plain token in its place', async () => {
        const tokens = await authorizer(pushAllowed);
        const valid = capabilityFor();
        const tampered = valid.slice(0, -2) + (valid.endsWith('A') ? 'BB' : 'AA');

        for (const capability of [
          capabilityFor(ALICE, undefined, new Date(NOW.getTime() - 13 * 60 * 60 * 1000)),
          tampered,
          tokenFor(ALICE, { upload: { repository: 'team/app', uploadId: UPLOAD_ID } }),
          tokenFor(ALICE, { registry: REGISTRY }),
          'not-a-token',
        ]) {
          await expect(tokens.authorize(withCapability(capability))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
        }
      });

      it('checks credentials that arrive with it as usual, and they must name the same caller', async () => {
        const tokens = await authorizer({ ...pushAllowed, [BOB.arn]: pushAllowed[ALICE.arn] as object[] });

        await expect(tokens.authorize(withCapability(capabilityFor(), [PART], basic('AWS', tokenFor(ALICE))))).resolves.toMatchObject({ allowed: true });
        await expect(tokens.authorize(withCapability(capabilityFor(), [PART], basic('AWS', tokenFor(BOB))))).resolves.toMatchObject({
          allowed: false,
          reason: 'unauthenticated',
        });
        await expect(tokens.authorize(withCapability(capabilityFor(), [PART], basic('AWS', 'v1.bad.token')))).resolves.toMatchObject({
          allowed: false,
          reason: 'unauthenticated',
        });
      });

      it('still applies current policies to its principal', async () => {
        const tokens = await authorizer({});

        await expect(tokens.authorize(withCapability(capabilityFor()))).resolves.toMatchObject({ allowed: false, reason: 'denied' });
      });
    });

    it('still applies current policies to a download token', async () => {
      const tokens = await authorizer({});
      const download = basic('AWS', tokenFor(ALICE, { download: { repository: 'team/app', digest: DIGEST } }));

      await expect(
        tokens.authorize(request(download, [{ action: 'ecr:GetDownloadUrlForLayer', repository: 'team/app', digest: DIGEST }])),
      ).resolves.toMatchObject({
        allowed: false,
        reason: 'denied',
      });
    });
  });
});

describe('TokenAuthorizer with a token it has verified before', () => {
  const KEY = new Uint8Array(32).fill(7);
  const header = (registry?: string) =>
    `Basic ${Buffer.from(`AWS:${issueToken({ accountId: ALICE.accountId, principalArn: ALICE.arn, ...(registry ? { registry } : {}) }, KEY, { now: NOW }).token}`).toString('base64')}`;
  const PULL: AccessRecord = { action: 'ecr:BatchGetImage', repository: 'team/app' };
  const ask = (authorization: string, registry = REGISTRY): AccessRequest => ({ registry, access: [PULL], authorization });

  async function authorizer() {
    let now = NOW;
    const { access, setRepositoryPolicy } = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:BatchGetImage', { Resource: '*' }))] });
    const tokens = new TokenAuthorizer(KEY, access, { now: () => now });
    return { tokens, setRepositoryPolicy, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  }

  it('refuses it once it has expired', async () => {
    const { tokens, advance } = await authorizer();
    const authorization = header();
    await expect(tokens.authorize(ask(authorization))).resolves.toMatchObject({ allowed: true });

    advance(12 * 60 * 60 * 1000);

    await expect(tokens.authorize(ask(authorization))).resolves.toEqual({
      allowed: false,
      reason: 'unauthenticated',
      message: 'Your authorization token has expired. Reauthenticate and try again.',
    });
  });

  it('refuses it for a registry other than the one it is bound to', async () => {
    const { tokens } = await authorizer();
    const authorization = header(REGISTRY);
    await expect(tokens.authorize(ask(authorization))).resolves.toMatchObject({ allowed: true });

    await expect(tokens.authorize(ask(authorization, `${OWNER}:eu-west-1`))).resolves.toMatchObject({ allowed: false, reason: 'unauthenticated' });
  });

  it('evaluates the policies again on every request', async () => {
    const { tokens, setRepositoryPolicy } = await authorizer();
    const authorization = header();
    await expect(tokens.authorize(ask(authorization))).resolves.toMatchObject({ allowed: true });

    await setRepositoryPolicy('team/app', text(statement('Deny', 'ecr:BatchGetImage', { Principal: '*' })));

    await expect(tokens.authorize(ask(authorization))).resolves.toMatchObject({ allowed: false, reason: 'denied' });
  });
});

describe('AccessService over repeated checks', () => {
  it('still reads the request context for a policy with a Condition', async () => {
    const fromOffice = statement('Allow', 'ecr:BatchGetImage', { Resource: APP_ARN, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    const { access } = await setup({ [ALICE.arn]: [document(fromOffice)] });

    await expect(access.allows(pull(ALICE, { sourceIp: '10.1.2.3' }))).resolves.toBe(true);
    await expect(access.allows(pull(ALICE, { sourceIp: '192.168.1.1' }))).resolves.toBe(false);
    await expect(access.allows(pull(ALICE, { sourceIp: '10.1.2.3' }))).resolves.toBe(true);
  });

  it('answers a changed repository policy from the next check on', async () => {
    const { access, setRepositoryPolicy } = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:BatchGetImage', { Resource: APP_ARN }))] });
    await expect(access.allows(pull())).resolves.toBe(true);

    await setRepositoryPolicy('team/app', text(statement('Deny', 'ecr:BatchGetImage', { Principal: { AWS: ALICE.arn } })));
    await expect(access.allows(pull())).resolves.toBe(false);

    await setRepositoryPolicy('team/app', text(statement('Allow', 'ecr:PutImage', { Principal: { AWS: ALICE.arn } })));
    await expect(access.allows(pull())).resolves.toBe(true);
  });

  it('tells principals, actions and repositories apart', async () => {
    const { access } = await setup({ [ALICE.arn]: [document(statement('Allow', 'ecr:BatchGetImage', { Resource: APP_ARN }))] });

    await expect(access.allows(pull())).resolves.toBe(true);
    await expect(access.allows(pull(BOB))).resolves.toBe(false);
    await expect(access.allows(pull(ALICE, { action: 'ecr:PutImage' }))).resolves.toBe(false);
    await expect(access.allows(pull(ALICE, { repositoryName: 'team/other' }))).resolves.toBe(false);
    await expect(access.allows(pull())).resolves.toBe(true);
  });
});
