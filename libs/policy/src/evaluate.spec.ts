import { evaluate } from './evaluate';
import { ACCOUNT, ALICE, BOB, identityPolicy, OTHER_ACCOUNT, REPOSITORY, request, resourcePolicy } from './spec-helpers';
import type { RequestPrincipal } from './types';

const allowPull = identityPolicy({ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: REPOSITORY });
const denyPull = identityPolicy({ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' });
const repoAllows = (principal: unknown) => resourcePolicy({ Effect: 'Allow', Principal: principal, Action: 'ecr:BatchGetImage' });
const bob: RequestPrincipal = { accountId: OTHER_ACCOUNT, arn: BOB };

describe('evaluate', () => {
  describe('combining identity and resource policies', () => {
    it('implicitly denies when no policy says anything', () => {
      expect(evaluate(request(), { identity: [] }).decision).toBe('ImplicitDeny');
    });

    it('allows a same-account principal on an identity policy alone', () => {
      expect(evaluate(request(), { identity: [allowPull] }).decision).toBe('Allow');
    });

    it('allows a same-account principal on a resource policy alone', () => {
      expect(evaluate(request(), { identity: [], resource: [repoAllows({ AWS: ALICE })] }).decision).toBe('Allow');
    });

    it('denies a cross-account principal allowed only by its identity policy', () => {
      expect(evaluate(request({ principal: bob }), { identity: [allowPull] }).decision).toBe('ImplicitDeny');
    });

    it('denies a cross-account principal allowed only by the resource policy', () => {
      expect(evaluate(request({ principal: bob }), { identity: [], resource: [repoAllows({ AWS: BOB })] }).decision).toBe('ImplicitDeny');
    });

    it('allows a cross-account principal when both sides allow', () => {
      expect(evaluate(request({ principal: bob }), { identity: [allowPull], resource: [repoAllows({ AWS: BOB })] }).decision).toBe('Allow');
    });

    it('lets an explicit deny in the identity policy beat an allow in the resource policy', () => {
      expect(evaluate(request(), { identity: [denyPull], resource: [repoAllows('*')] }).decision).toBe('ExplicitDeny');
    });

    it('lets an explicit deny in the resource policy beat an allow in the identity policy', () => {
      const repoDenies = resourcePolicy({ Effect: 'Deny', Principal: '*', Action: 'ecr:*' });
      expect(evaluate(request(), { identity: [allowPull], resource: [repoDenies] }).decision).toBe('ExplicitDeny');
    });

    it('lets a deny in one statement beat an allow in another statement of the same policy', () => {
      const both = identityPolicy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }, { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: REPOSITORY });
      expect(evaluate(request(), { identity: [both] }).decision).toBe('ExplicitDeny');
    });

    it('combines the repository policy and the registry policy', () => {
      const registry = resourcePolicy({ Effect: 'Allow', Principal: { AWS: OTHER_ACCOUNT }, Action: 'ecr:*' });
      const repository = resourcePolicy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'ecr:PutImage' });
      expect(evaluate(request({ principal: bob }), { identity: [allowPull], resource: [repository, registry] }).decision).toBe('Allow');
    });
  });

  describe('Principal (cross-account, so the resource policy decides)', () => {
    const session = `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/ci/build-42`;
    it.each<[string, unknown, RequestPrincipal, boolean]>([
      ['"*" matches everyone', '*', bob, true],
      ['{"AWS": "*"} matches everyone', { AWS: '*' }, bob, true],
      ['an account id matches every principal of the account', { AWS: OTHER_ACCOUNT }, bob, true],
      ['an account root ARN matches every principal of the account', { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, bob, true],
      ['an account id does not match another account', { AWS: ACCOUNT }, bob, false],
      ['a user ARN matches that user', { AWS: [ALICE, BOB] }, bob, true],
      ['a user ARN does not match another user', { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:user/bobby` }, bob, false],
      ['a role ARN matches sessions of the role', { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/deploy/ci` }, { accountId: OTHER_ACCOUNT, arn: session }, true],
      [
        'a role ARN does not match sessions of another role',
        { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/cd` },
        { accountId: OTHER_ACCOUNT, arn: session },
        false,
      ],
      ['a session ARN matches that session', { AWS: session }, { accountId: OTHER_ACCOUNT, arn: session }, true],
      ['a Service principal never matches an IAM principal', { Service: 'ecr.amazonaws.com' }, bob, false],
    ])('%s', (_label, principal, who, allowed) => {
      const { decision } = evaluate(request({ principal: who }), { identity: [allowPull], resource: [repoAllows(principal)] });
      expect(decision).toBe(allowed ? 'Allow' : 'ImplicitDeny');
    });

    it('ignores a resource policy statement without Principal (an identity policy passed as resource policy)', () => {
      const misplaced = identityPolicy({ Effect: 'Allow', Action: '*', Resource: '*' });
      expect(evaluate(request({ principal: bob }), { identity: [allowPull], resource: [misplaced] }).decision).toBe('ImplicitDeny');
    });
  });

  describe('NotPrincipal (Deny only)', () => {
    const denyAllBut = (...listed: string[]) => resourcePolicy({ Effect: 'Deny', NotPrincipal: { AWS: listed }, Action: 'ecr:*' });
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/ci/build-42`;
    it.each<[string, string[], RequestPrincipal, string]>([
      ['denies a principal that is not listed', [BOB, `arn:aws:iam::${OTHER_ACCOUNT}:root`], { accountId: ACCOUNT, arn: ALICE }, 'ExplicitDeny'],
      ['exempts a user listed together with its account', [ALICE, ACCOUNT], { accountId: ACCOUNT, arn: ALICE }, 'Allow'],
      ['still denies a user listed without its account (as IAM documents)', [ALICE], { accountId: ACCOUNT, arn: ALICE }, 'ExplicitDeny'],
      [
        'exempts a role session listed with its role and account',
        [session, `arn:aws:iam::${ACCOUNT}:role/ci`, ACCOUNT],
        { accountId: ACCOUNT, arn: session },
        'Allow',
      ],
      ['denies a role session whose role is not listed', [session, ACCOUNT], { accountId: ACCOUNT, arn: session }, 'ExplicitDeny'],
      ['exempts the account root listed by account id', [ACCOUNT], { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` }, 'Allow'],
    ])('%s', (_label, listed, who, expected) => {
      const allowAll = identityPolicy({ Effect: 'Allow', Action: '*', Resource: '*' });
      expect(evaluate(request({ principal: who }), { identity: [allowAll], resource: [denyAllBut(...listed)] }).decision).toBe(expected);
    });
  });

  describe('Action and NotAction', () => {
    it.each<[string, object, string, boolean]>([
      ['compares the service prefix and name case-insensitively', { Action: 'ECR:batchgetimage' }, 'ecr:BatchGetImage', true],
      ['supports * in the action name', { Action: 'ecr:Batch*' }, 'ecr:BatchGetImage', true],
      ['supports ? in the action name', { Action: 'ecr:?atchGetImage' }, 'ecr:BatchGetImage', true],
      ['"*" matches every action', { Action: '*' }, 'ecr:PutImage', true],
      ['does not match another service', { Action: 'ecr-public:*' }, 'ecr:PutImage', false],
      ['NotAction matches actions not listed', { NotAction: ['ecr:Delete*', 'ecr:Put*'] }, 'ecr:BatchGetImage', true],
      ['NotAction excludes listed actions, case-insensitively', { NotAction: 'ecr:put*' }, 'ecr:PutImage', false],
    ])('%s', (_label, element, action, allowed) => {
      const document = identityPolicy({ Effect: 'Allow', Resource: '*', ...element });
      expect(evaluate(request({ action }), { identity: [document] }).decision).toBe(allowed ? 'Allow' : 'ImplicitDeny');
    });
  });

  describe('Resource and NotResource', () => {
    it.each<[string, object, boolean]>([
      ['"*" matches every resource', { Resource: '*' }, true],
      ['matches the exact ARN', { Resource: REPOSITORY }, true],
      ['supports * across path segments', { Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/team/*` }, true],
      ['supports ?', { Resource: `arn:aws:ecr:us-east-?:${ACCOUNT}:repository/team/app` }, true],
      ['is case-sensitive', { Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/Team/*` }, false],
      ['NotResource matches resources not listed', { NotResource: `arn:aws:ecr:*:${ACCOUNT}:repository/prod/*` }, true],
      ['NotResource excludes listed resources', { NotResource: [`arn:aws:ecr:*:${ACCOUNT}:repository/team/*`] }, false],
      ['substitutes policy variables', { Resource: `arn:aws:ecr:*:\${aws:PrincipalAccount}:repository/team/*` }, true],
      ['a variable with no value matches nothing', { Resource: `arn:aws:ecr:*:*:repository/\${aws:userid}/*` }, false],
      ['a NotResource variable with no value makes the element not match', { NotResource: `arn:aws:ecr:*:*:repository/\${aws:userid}` }, false],
    ])('%s', (_label, element, allowed) => {
      const document = identityPolicy({ Effect: 'Allow', Action: 'ecr:*', ...element });
      expect(evaluate(request(), { identity: [document] }).decision).toBe(allowed ? 'Allow' : 'ImplicitDeny');
    });

    it('lets each user reach the repositories named after them through ${aws:username}', () => {
      const own = identityPolicy({ Effect: 'Allow', Action: 'ecr:*', Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/\${aws:username}/*` });
      const alices = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/alice/tools`;
      const carols = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/carol/tools`;
      expect(evaluate(request({ resource: alices }), { identity: [own] }).decision).toBe('Allow');
      expect(evaluate(request({ resource: carols }), { identity: [own] }).decision).toBe('ImplicitDeny');
    });

    it('applies a resource policy statement without Resource to the resource it is attached to', () => {
      expect(evaluate(request(), { identity: [], resource: [repoAllows({ AWS: ACCOUNT })] }).decision).toBe('Allow');
    });
  });

  describe('the deciding statement', () => {
    const named = (sid: string, statement: object) => ({ Sid: sid, ...statement });
    const allowIdentity = identityPolicy(
      named('ReadAll', { Effect: 'Allow', Action: 'ecr:*', Resource: '*' }),
      named('Pull', { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }),
    );
    const denyIdentity = identityPolicy(
      named('Other', { Effect: 'Allow', Action: 'ecr:PutImage', Resource: '*' }),
      named('NoPulls', { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }),
    );
    const repository = resourcePolicy(named('Shared', { Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }));
    const registry = resourcePolicy(named('Lockdown', { Effect: 'Deny', Principal: '*', Action: 'ecr:*' }));

    it('names the first identity Allow that granted a same-account request', () => {
      expect(evaluate(request(), { identity: [allowIdentity], resource: [repository] })).toEqual({
        decision: 'Allow',
        statement: { policy: 'identity', policyIndex: 0, statementIndex: 0, sid: 'ReadAll' },
      });
    });

    it('names the resource policy Allow that granted a same-account request without an identity Allow', () => {
      expect(evaluate(request(), { identity: [], resource: [repository] })).toEqual({
        decision: 'Allow',
        statement: { policy: 'resource', policyIndex: 0, statementIndex: 0, sid: 'Shared' },
      });
    });

    it('names the resource policy Allow that opened the account to a cross-account principal', () => {
      expect(evaluate(request({ principal: bob }), { identity: [allowIdentity], resource: [repository] })).toMatchObject({
        decision: 'Allow',
        statement: { policy: 'resource', sid: 'Shared' },
      });
    });

    it('names the Deny of an identity policy, by position and Sid', () => {
      expect(evaluate(request(), { identity: [allowIdentity, denyIdentity], resource: [repository] })).toEqual({
        decision: 'ExplicitDeny',
        statement: { policy: 'identity', policyIndex: 1, statementIndex: 1, sid: 'NoPulls' },
      });
    });

    it('names the Deny of a resource policy, at its position among the resource policies', () => {
      expect(evaluate(request(), { identity: [allowIdentity], resource: [repository, registry] })).toEqual({
        decision: 'ExplicitDeny',
        statement: { policy: 'resource', policyIndex: 1, statementIndex: 0, sid: 'Lockdown' },
      });
    });

    it('names a statement without Sid by position only', () => {
      expect(evaluate(request(), { identity: [denyPull] })).toEqual({
        decision: 'ExplicitDeny',
        statement: { policy: 'identity', policyIndex: 0, statementIndex: 0 },
      });
    });

    it('says the identity side is missing when nothing allows a same-account request', () => {
      expect(evaluate(request(), { identity: [], resource: [] })).toEqual({ decision: 'ImplicitDeny', missing: 'identity' });
    });

    it('says the identity side is missing when a cross-account principal has only the resource policy', () => {
      expect(evaluate(request({ principal: bob }), { identity: [], resource: [repository] })).toEqual({ decision: 'ImplicitDeny', missing: 'identity' });
    });

    it('says the resource side is missing when a cross-account principal has only its identity policy', () => {
      expect(evaluate(request({ principal: bob }), { identity: [allowIdentity] })).toEqual({ decision: 'ImplicitDeny', missing: 'resource' });
    });
  });
});
