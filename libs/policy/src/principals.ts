import { accountOfEntry, ACCOUNT_ID, isPrincipalArn, parseRoleArn, sameRole, sessionRole } from './arn';
import type { PrincipalSet, RequestPrincipal } from './types';
import { hasWildcard } from './wildcard';

/**
 * Principal and NotPrincipal of resource policies.
 *
 * Principal names who the statement is about:
 *   "*" or {"AWS": "*"}                         everyone
 *   {"AWS": "123456789012"} or "…:root"          every principal of that account
 *   {"AWS": "arn:aws:iam::…:user/alice"}         that user, exactly
 *   {"AWS": "arn:aws:iam::…:role/path/ci"}       the role, and every session assumed from it
 *   {"AWS": "arn:aws:sts::…:assumed-role/ci/s"}  that session, exactly
 * Wildcards inside an ARN are not allowed (IAM rejects them; use aws:PrincipalArn with ArnLike).
 * Service, Federated and CanonicalUser principals are accepted in documents but never match an
 * IAM principal.
 *
 * NotPrincipal (Deny only) exempts a request only when every identity the request is made under is
 * listed: the account, then (for a role session) the role and the session, or the user. That is IAM's
 * documented behaviour: "you must also specify the account ARN of the not-denied principal", otherwise
 * the deny still applies.
 */
const PRINCIPAL_TYPES = { AWS: 'aws', Service: 'service', Federated: 'federated', CanonicalUser: 'canonicalUser' } as const;

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

function awsEntryError(entry: string): string | undefined {
  if (entry === '*' || ACCOUNT_ID.test(entry)) return undefined;
  if (hasWildcard(entry)) return `wildcards are not allowed in a principal ARN ("${entry}"); use "*" with a Condition on aws:PrincipalArn`;
  return isPrincipalArn(entry) ? undefined : `"${entry}" is not an account id or an IAM principal ARN`;
}

/** Validates a Principal/NotPrincipal element; pushes messages prefixed with `path` on failure. */
export function parsePrincipal(value: unknown, negated: boolean, path: string, errors: string[]): PrincipalSet | undefined {
  const set = { negated, everyone: false, aws: [] as string[], service: [] as string[], federated: [] as string[], canonicalUser: [] as string[] };
  if (value === '*') return { ...set, everyone: true };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    errors.push(`${path} must be "*" or an object with AWS, Service, Federated or CanonicalUser`);
    return undefined;
  }
  const before = errors.length;
  for (const [type, raw] of Object.entries(value)) {
    const field = Object.hasOwn(PRINCIPAL_TYPES, type) ? PRINCIPAL_TYPES[type as keyof typeof PRINCIPAL_TYPES] : undefined;
    if (!field) {
      errors.push(`${path}: unknown principal type "${type}"`);
      continue;
    }
    const entries = strings(raw);
    if (!entries) {
      errors.push(`${path}.${type} must be a string or a non-empty array of strings`);
      continue;
    }
    for (const entry of entries) {
      const problem = field === 'aws' ? awsEntryError(entry) : hasWildcard(entry) && entry !== '*' ? `wildcards are not allowed in "${entry}"` : undefined;
      if (problem) errors.push(`${path}.${type}: ${problem}`);
    }
    set[field].push(...entries);
  }
  if (errors.length > before) return undefined;
  return { ...set, everyone: set.aws.includes('*') };
}

/** A positive Principal entry covers the request principal. */
function entryCovers(entry: string, principal: RequestPrincipal): boolean {
  if (entry === '*') return true;
  const account = accountOfEntry(entry);
  if (account !== undefined) return account === principal.accountId;
  if (entry === principal.arn) return true;
  const role = parseRoleArn(entry);
  const session = sessionRole(principal.arn);
  return role !== undefined && session !== undefined && sameRole(role, session);
}

/** The identities a request is made under, each of which NotPrincipal must list to exempt it. */
function identityChain(principal: RequestPrincipal): ((entry: string) => boolean)[] {
  const chain: ((entry: string) => boolean)[] = [(e) => accountOfEntry(e) === principal.accountId];
  const role = sessionRole(principal.arn);
  if (role) {
    chain.push((e) => {
      const listed = parseRoleArn(e);
      return listed !== undefined && sameRole(listed, role);
    });
  }
  if (accountOfEntry(principal.arn) === undefined) chain.push((e) => e === principal.arn);
  return chain;
}

/** Whether a statement with this Principal/NotPrincipal applies to the request principal. */
export function principalApplies(set: PrincipalSet, principal: RequestPrincipal): boolean {
  if (!set.negated) return set.everyone || set.aws.some((entry) => entryCovers(entry, principal));
  if (set.everyone) return false;
  const exempt = identityChain(principal).every((listed) => set.aws.some(listed));
  return !exempt;
}
