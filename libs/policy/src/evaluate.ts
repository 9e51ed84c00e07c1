import { userName } from './arn';
import { type ConditionContext, contextLookup, evaluateConditions } from './conditions';
import { principalApplies } from './principals';
import type { ContextValue, EvaluationRequest, Evaluation, PatternSet, PolicyDocument, PolicyKind, PolicySet, Statement, StatementRef } from './types';
import { substituteVariables } from './variables';
import { matchesTokens, matchesWildcard, tokenizePattern } from './wildcard';

/**
 * IAM policy evaluation for one request, as IAM combines identity-based and resource-based policies
 * (no SCPs, permissions boundaries or session policies exist here):
 *
 *   1. any applicable Deny, in any policy                        → ExplicitDeny
 *   2. principal and resource in the same account:
 *        an identity policy Allow OR a resource policy Allow      → Allow
 *   3. cross-account:
 *        an identity policy Allow AND a resource policy Allow     → Allow
 *   4. otherwise                                                  → ImplicitDeny
 *
 * A statement applies when its Principal (resource policies), Action, Resource and every Condition
 * match. Actions compare case-insensitively; ARNs case-sensitively. The answer names the statement that
 * decided (see Evaluation), so a denial can say why, as IAM's messages do.
 */
export function evaluate(request: EvaluationRequest, policies: PolicySet): Evaluation {
  const context = withPrincipalKeys(request);
  const lookup = contextLookup(context);
  const single = (key: string): string | undefined => {
    const values = lookup(key);
    return values?.length === 1 ? values[0] : undefined;
  };

  /** The first applicable Allow and the first applicable Deny among one kind of policy. */
  const outcome = (documents: readonly PolicyDocument[], policy: PolicyKind): { allow: StatementRef | undefined; deny: StatementRef | undefined } => {
    let allow: StatementRef | undefined;
    for (const [policyIndex, document] of documents.entries()) {
      const ctx: ConditionContext = { values: lookup, variables: document.version === '2012-10-17', resolve: single };
      for (const [statementIndex, statement] of document.statements.entries()) {
        if (allow && statement.effect === 'Allow') continue;
        if (!statementApplies(statement, policy === 'resource', request, ctx)) continue;
        const ref: StatementRef = { policy, policyIndex, statementIndex, ...(statement.sid !== undefined && { sid: statement.sid }) };
        if (statement.effect === 'Deny') return { allow, deny: ref };
        allow = ref;
      }
    }
    return { allow, deny: undefined };
  };

  const identity = outcome(policies.identity, 'identity');
  const resource = outcome(policies.resource ?? [], 'resource');
  const deny = identity.deny ?? resource.deny;
  if (deny) return { decision: 'ExplicitDeny', statement: deny };
  if (request.principal.accountId === request.resourceAccountId) {
    const allow = identity.allow ?? resource.allow;
    return allow ? { decision: 'Allow', statement: allow } : { decision: 'ImplicitDeny', missing: 'identity' };
  }
  if (!identity.allow) return { decision: 'ImplicitDeny', missing: 'identity' };
  return resource.allow ? { decision: 'Allow', statement: resource.allow } : { decision: 'ImplicitDeny', missing: 'resource' };
}

/** Keys IAM derives from the authenticated principal; they cannot be supplied by the caller. */
function withPrincipalKeys(request: EvaluationRequest): Record<string, ContextValue> {
  const derived: Record<string, ContextValue> = {
    'aws:PrincipalArn': request.principal.arn,
    'aws:PrincipalAccount': request.principal.accountId,
  };
  const user = userName(request.principal.arn);
  if (user !== undefined) derived['aws:username'] = user;
  // aws:username exists only for IAM users: a caller-supplied one never survives for anyone else.
  const overridden = new Set(['aws:principalarn', 'aws:principalaccount', 'aws:username']);
  const rest = Object.entries(request.context).filter(([key]) => !overridden.has(key.toLowerCase()));
  return { ...Object.fromEntries(rest), ...derived };
}

function statementApplies(statement: Statement, attachedToResource: boolean, request: EvaluationRequest, ctx: ConditionContext): boolean {
  // A resource policy statement must name the principal; one without Principal never applies there.
  if (attachedToResource && !(statement.principal && principalApplies(statement.principal, request.principal))) {
    return false;
  }
  return (
    actionMatches(statement.action, request.action) &&
    resourceMatches(statement.resource, request.resource, ctx) &&
    evaluateConditions(statement.conditions, ctx)
  );
}

function actionMatches(element: PatternSet, action: string): boolean {
  const listed = element.patterns.some((p) => matchesWildcard(p, action, { ignoreCase: true }));
  return listed !== element.negated;
}

/**
 * Resource/NotResource. A resource policy statement without either covers the resource it is attached
 * to. A pattern whose variable has no value matches nothing; in NotResource that would widen the
 * statement, so the element does not match at all.
 */
function resourceMatches(element: PatternSet | undefined, resource: string, ctx: ConditionContext): boolean {
  if (!element) return true;
  let listed = false;
  for (const pattern of element.patterns) {
    const tokens = ctx.variables ? substituteVariables(pattern, ctx.resolve) : tokenizePattern(pattern);
    if (!tokens) {
      if (element.negated) return false;
      continue;
    }
    if (matchesTokens(tokens, resource)) listed = true;
  }
  return listed !== element.negated;
}
