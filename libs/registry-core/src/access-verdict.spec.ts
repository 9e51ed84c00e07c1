import { issueToken } from '@cargohold/auth';
import { createMemoryStorage } from '@cargohold/storage-memory';
import { AccessService } from './access';
import { TokenAuthorizer } from './token-authorizer';
import { accessDeniedMessage } from './access-verdict';

const REGISTRY = '123456789012:us-east-1';
const OTHER = '210987654321';
const CI = 'arn:aws:iam::123456789012:user/ci';
const PARTNER = `arn:aws:iam::${OTHER}:user/partner`;
const APP = 'arn:aws:ecr:us-east-1:123456789012:repository/app';
const clock = { now: () => new Date('2026-06-01T00:00:00Z') };
const KEY = Buffer.alloc(32, 7);

const allowAll = { Version: '2012-10-17', Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
const pullOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetAuthorizationToken'], Resource: '*' }] };
const noPushes = { Version: '2012-10-17', Statement: [allowAll.Statement[0], { Sid: 'NoPushes', Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' }] };
const resourceDeny = (sid: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Deny', Principal: '*', Action: 'ecr:PutImage' }] });
const partnerPulls = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'PartnerPulls', Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'ecr:BatchGetImage' }],
});

async function setup(identities: Record<string, readonly unknown[]>, policies: { repository?: string; registry?: string } = {}) {
  const storage = createMemoryStorage();
  await storage.repositories.create({ registry: REGISTRY, name: 'app' }, clock.now());
  if (policies.repository) await storage.repositories.update({ registry: REGISTRY, name: 'app' }, (s) => ({ ...s, policyText: policies.repository }));
  if (policies.registry) await storage.registries.update(REGISTRY, (s) => ({ ...s, policyText: policies.registry }));
  return new AccessService(storage.repositories, storage.registries, (arn) => identities[arn] ?? [], clock);
}

const check = (arn: string, action: string) => ({
  principal: { accountId: arn.split(':')[4] ?? '', arn },
  action,
  registryKey: REGISTRY,
  repositoryName: 'app',
});

describe('AccessService.decide', () => {
  it('names the identity statement that allowed', async () => {
    const access = await setup({ [CI]: [allowAll] });
    expect(await access.decide(check(CI, 'ecr:PutImage'))).toEqual({
      decision: 'Allow',
      statement: { source: 'identity', policyIndex: 0, statementIndex: 0, sid: 'Everything' },
    });
  });

  it('names an explicit Deny in the repository policy', async () => {
    const access = await setup({ [CI]: [allowAll] }, { repository: resourceDeny('FrozenRepo'), registry: resourceDeny('FrozenRegistry') });
    expect(await access.decide(check(CI, 'ecr:PutImage'))).toEqual({
      decision: 'ExplicitDeny',
      statement: { source: 'repository', policyIndex: 0, statementIndex: 0, sid: 'FrozenRepo' },
    });
  });

  it('names an explicit Deny in the registry policy', async () => {
    const access = await setup({ [CI]: [allowAll] }, { registry: resourceDeny('FrozenRegistry') });
    expect(await access.decide(check(CI, 'ecr:PutImage'))).toMatchObject({
      decision: 'ExplicitDeny',
      statement: { source: 'registry', sid: 'FrozenRegistry' },
    });
  });

  it('names an explicit Deny in one of the principal identity policies', async () => {
    const access = await setup({ [CI]: [pullOnly, noPushes] });
    expect(await access.decide(check(CI, 'ecr:PutImage'))).toMatchObject({
      decision: 'ExplicitDeny',
      statement: { source: 'identity', policyIndex: 1, statementIndex: 1, sid: 'NoPushes' },
    });
  });

  it('says which side lacked an Allow for a cross-account principal', async () => {
    const access = await setup({ [PARTNER]: [allowAll] });
    expect(await access.decide(check(PARTNER, 'ecr:BatchGetImage'))).toEqual({ decision: 'ImplicitDeny', missing: 'resource' });
    const shared = await setup({ [PARTNER]: [] }, { repository: partnerPulls });
    expect(await shared.decide(check(PARTNER, 'ecr:BatchGetImage'))).toEqual({ decision: 'ImplicitDeny', missing: 'identity' });
  });
});

describe('accessDeniedMessage', () => {
  const message = (denial: Parameters<typeof accessDeniedMessage>[3]) => accessDeniedMessage(CI, 'ecr:PutImage', APP, denial);
  const head = `User: ${CI} is not authorized to perform: ecr:PutImage on resource: ${APP}`;

  it.each([
    [
      'no identity Allow',
      { decision: 'ImplicitDeny', missing: 'identity' } as const,
      `${head} because no identity-based policy allows the ecr:PutImage action`,
    ],
    [
      'no resource Allow (cross-account)',
      { decision: 'ImplicitDeny', missing: 'resource' } as const,
      `${head} because no resource-based policy allows the ecr:PutImage action`,
    ],
    [
      'a Deny in an identity policy',
      { decision: 'ExplicitDeny', statement: { source: 'identity', policyIndex: 0, statementIndex: 1 } } as const,
      `${head} with an explicit deny in an identity-based policy`,
    ],
    [
      'a Deny in the repository policy',
      { decision: 'ExplicitDeny', statement: { source: 'repository', policyIndex: 0, statementIndex: 0 } } as const,
      `${head} with an explicit deny in a resource-based policy`,
    ],
    [
      'a Deny in the registry policy',
      { decision: 'ExplicitDeny', statement: { source: 'registry', policyIndex: 0, statementIndex: 0 } } as const,
      `${head} with an explicit deny in a resource-based policy`,
    ],
  ])('words %s as IAM does', (_label, denial, expected) => {
    expect(message(denial)).toBe(expected);
  });
});

describe('TokenAuthorizer denials', () => {
  it('tells a /v2/ client that a repository policy Deny decided', async () => {
    const access = await setup({ [CI]: [allowAll] }, { repository: resourceDeny('FrozenRepo') });
    const authorizer = new TokenAuthorizer(KEY, access, clock);
    const { token } = issueToken({ accountId: '123456789012', principalArn: CI, registry: REGISTRY }, KEY, { now: clock.now() });
    const authorization = `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`;

    const decision = await authorizer.authorize({ registry: REGISTRY, access: [{ action: 'ecr:PutImage', repository: 'app' }], authorization });

    expect(decision).toEqual({
      allowed: false,
      reason: 'denied',
      granted: [false],
      message: `User: ${CI} is not authorized to perform: ecr:PutImage on resource: ${APP} with an explicit deny in a resource-based policy`,
    });
  });
});
