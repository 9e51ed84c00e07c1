/**
 * The evaluated form of an IAM policy. `parsePolicyDocument` builds it from the policy text; callers keep
 * the original text byte-for-byte (what `GetRepositoryPolicy` returns) and cache this form beside it.
 */
export type Effect = 'Allow' | 'Deny';
export type PolicyKind = 'identity' | 'resource';
/** A policy without `Version` is a 2008-10-17 policy: its `${…}` text is literal, never a variable. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** A statement of a PolicySet: which list (`identity` or `resource`), which document, which statement. */
export interface StatementRef {
  readonly policy: PolicyKind;
  /** Position of the document in `PolicySet.identity` or `PolicySet.resource`. */
  readonly policyIndex: number;
  /** Position of the statement in the document. */
  readonly statementIndex: number;
  readonly sid?: string;
}

/**
 * A decision and why, in the terms IAM's AccessDenied messages use:
 * - Allow: the Allow that granted it (cross-account: the resource policy's, which opened the account);
 * - ExplicitDeny: the first applicable Deny (identity policies are read before resource policies);
 * - ImplicitDeny: the kind of policy whose Allow was missing (`identity` unless the principal is from
 *   another account and its identity policies allowed, in which case the resource policy did not).
 */
export type Evaluation =
  | { readonly decision: 'Allow'; readonly statement: StatementRef }
  | { readonly decision: 'ExplicitDeny'; readonly statement: StatementRef }
  | { readonly decision: 'ImplicitDeny'; readonly missing: PolicyKind };

/** Action/NotAction or Resource/NotResource: `negated` is the Not… form. */
export interface PatternSet {
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

/** Principal/NotPrincipal. `everyone` is `"*"` or `{"AWS": "*"}`. */
export interface PrincipalSet {
  readonly negated: boolean;
  readonly everyone: boolean;
  /** Account ids, `arn:…:iam::<account>:root`, user/role/session ARNs: exact, never wildcards. */
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

export type ConditionFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';
export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** One (operator, key) pair of a Condition block; a statement's conditions are ANDed. */
export interface Condition {
  /** As written, e.g. `ForAnyValue:StringNotEqualsIfExists`. */
  readonly operator: string;
  /** The operator without qualifier and IfExists, e.g. `StringNotEquals`. */
  readonly base: string;
  readonly qualifier?: SetQualifier;
  readonly ifExists: boolean;
  /** Context key as written; lookups are case-insensitive. */
  readonly key: string;
  /** Policy values, as strings (JSON numbers and booleans are stringified); ORed. */
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid?: string;
  readonly effect: Effect;
  /** Resource policies only. */
  readonly principal?: PrincipalSet;
  readonly action: PatternSet;
  /** Absent only in a resource policy: the statement covers the resource the policy is attached to. */
  readonly resource?: PatternSet;
  readonly conditions: readonly Condition[];
}

export interface PolicyDocument {
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  readonly id?: string;
  readonly statements: readonly Statement[];
}

/** What a request context may hold; `undefined` (or an empty list) means the key is absent. */
export type ContextValue = string | readonly string[] | number | boolean | Date | undefined;

export interface RequestPrincipal {
  readonly accountId: string;
  /** `arn:aws:iam::123456789012:user/alice`, `…:role/ci`, `arn:aws:sts::…:assumed-role/ci/session`, `…:root`. */
  readonly arn: string;
}

export interface EvaluationRequest {
  readonly principal: RequestPrincipal;
  /** `ecr:BatchGetImage`. */
  readonly action: string;
  /** `arn:aws:ecr:us-east-1:123456789012:repository/team/app`. */
  readonly resource: string;
  readonly resourceAccountId: string;
  /**
   * Condition keys (names are case-insensitive): `aws:SourceIp`, `aws:CurrentTime`, `aws:SecureTransport`,
   * `ecr:ResourceTag/…`, `aws:TagKeys`, … `aws:PrincipalArn`, `aws:PrincipalAccount` and (for IAM users)
   * `aws:username` (IAM users only) are derived from `principal`; values passed here for them are ignored.
   */
  readonly context: Readonly<Record<string, ContextValue>>;
}

export interface PolicySet {
  /** Policies attached to the principal. */
  readonly identity: readonly PolicyDocument[];
  /** Policies attached to the resource: the repository policy and/or the registry policy. */
  readonly resource?: readonly PolicyDocument[];
}
