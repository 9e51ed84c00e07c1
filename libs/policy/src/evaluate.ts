import { userName } from './arn';
import { type ConditionContext, contextLookup, evaluateConditions } from './conditions';
import { principalApplies } from './principals';
import type { ContextValue, Decision, EvaluationRequest, PatternSet, PolicyDocument, PolicySet, Statement } from './types';
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
 * match. Actions compare case-insensitively; ARNs case-sensitively.
 */
export function evaluate(request: EvaluationRequest, policies: PolicySet): Decision {
  const context = withPrincipalKeys(request);
  const lookup = contextLookup(context);
  const single = (key: string): string | undefined => {
    const values = lookup(key);
    return values?.length === 1 ? values[0] : undefined;
  };

  const outcome = (documents: readonly PolicyDocument[], attachedToResource: boolean) => {
    let allow = false;
    let deny = false;
    for (const document of documents) {
      const ctx: ConditionContext = { values: lookup, variables: document.version === '2012-10-17', resolve: single };
      for (const statement of document.statements) {
        if (!statementApplies(statement, attachedToResource, request, ctx)) continue;
        if (statement.effect === 'Deny') deny = true;
        else allow = true;
      }
    }
    return { allow, deny };
  };

  const identity = outcome(policies.identity, false);
  const resource = outcome(policies.resource ?? [], true);
  if (identity.deny || resource.deny) return 'ExplicitDeny';
  const sameAccount = request.principal.accountId === request.resourceAccountId;
  const allowed = sameAccount ? identity.allow || resource.allow : identity.allow && resource.allow;
  return allowed ? 'Allow' : 'ImplicitDeny';
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

function statementApplies(
  statement: Statement,
  attachedToResource: boolean,
  request: EvaluationRequest,
  ctx: ConditionContext,
): boolean {
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
