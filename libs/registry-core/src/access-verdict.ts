import type { Evaluation, PolicyKind } from '@cargohold/policy';

/** The policies an ECR request is evaluated against: the principal's, the repository's, the registry's. */
export type PolicySource = 'identity' | 'repository' | 'registry';

/** The statement that decided, named as an operator would look it up. */
export interface DecidingStatement {
  readonly source: PolicySource;
  /** Position among the principal's identity policies; 0 for the repository and registry policies. */
  readonly policyIndex: number;
  readonly statementIndex: number;
  readonly sid?: string;
}

/**
 * An access decision and why. An implicit deny names the kind of policy whose Allow was missing: the
 * identity side, or (cross-account, identity allowed) the resource side.
 */
export type AccessVerdict =
  | { readonly decision: 'Allow'; readonly statement: DecidingStatement }
  | { readonly decision: 'ExplicitDeny'; readonly statement: DecidingStatement }
  | { readonly decision: 'ImplicitDeny'; readonly missing: PolicyKind };

export type Denial = Exclude<AccessVerdict, { decision: 'Allow' }>;

/**
 * Names the policy behind an evaluation: `resourceSources` lists what each resource policy given to
 * `evaluate` was, in the same order.
 */
export function verdictOf(evaluation: Evaluation, resourceSources: readonly PolicySource[]): AccessVerdict {
  if (evaluation.decision === 'ImplicitDeny') return evaluation;
  const { policy, policyIndex, statementIndex, sid } = evaluation.statement;
  const statement: DecidingStatement = {
    source: policy === 'identity' ? 'identity' : (resourceSources[policyIndex] ?? 'repository'),
    policyIndex: policy === 'identity' ? policyIndex : 0,
    statementIndex,
    ...(sid !== undefined && { sid }),
  };
  return { decision: evaluation.decision, statement };
}

/**
 * IAM's AccessDenied wording: `User: <arn> is not authorized to perform: <action> on resource: <arn>`,
 * then `with an explicit deny in an identity-based|a resource-based policy` when a Deny decided, or
 * `because no identity-based|resource-based policy allows the <action> action` when no Allow did.
 * Repository and registry policies are both resource-based policies.
 */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, denial: Denial): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  if (denial.decision === 'ExplicitDeny') {
    return `${head} with an explicit deny in ${denial.statement.source === 'identity' ? 'an identity-based' : 'a resource-based'} policy`;
  }
  return `${head} because no ${denial.missing === 'identity' ? 'identity-based' : 'resource-based'} policy allows the ${action} action`;
}
