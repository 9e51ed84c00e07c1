import { evaluate } from './evaluate';
import { parsePolicyDocument } from './parse-policy';
import type { ContextValue, Decision, EvaluationRequest, PolicyDocument, PolicyKind } from './types';

/** Test vocabulary shared by the specs: accounts, principals, a repository and policy builders. */
export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const BOB = `arn:aws:iam::${OTHER_ACCOUNT}:user/bob`;
export const REPOSITORY = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/app`;

export function policy(kind: PolicyKind, document: unknown): PolicyDocument {
  const parsed = parsePolicyDocument(JSON.stringify(document), kind);
  if (!parsed.ok) throw new Error(`fixture policy is invalid: ${parsed.errors.join('; ')}`);
  return parsed.policy;
}

export function identityPolicy(...statements: object[]): PolicyDocument {
  return policy('identity', { Version: '2012-10-17', Statement: statements });
}

export function resourcePolicy(...statements: object[]): PolicyDocument {
  return policy('resource', { Version: '2012-10-17', Statement: statements });
}

export function request(overrides: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return {
    principal: { accountId: ACCOUNT, arn: ALICE },
    action: 'ecr:BatchGetImage',
    resource: REPOSITORY,
    resourceAccountId: ACCOUNT,
    context: {},
    ...overrides,
  };
}

/** Decision of an identity policy allowing everything under one Condition block, for a given context. */
export function underCondition(condition: object, context: Record<string, ContextValue>): Decision {
  const allowAll = identityPolicy({ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition });
  return evaluate(request({ context }), { identity: [allowAll] }).decision;
}
