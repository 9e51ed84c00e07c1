import { matchesTokens, type PatternToken } from './wildcard';

/**
 * ARN shapes used by policies: `arn:<partition>:<service>:<region>:<account>:<resource>`. The resource
 * part may itself contain `:` and `/`; only the first five colons delimit components.
 */
export const ACCOUNT_ID = /^\d{12}$/;

const SESSION_ARN = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const USER_ARN = /^arn:([^:]+):iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;
const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;

/**
 * Splits pattern tokens into the six ARN components. Wildcards stay inside their component: `*` in
 * the region never swallows the account, which is what "each component is checked separately" means.
 */
function splitTokens(tokens: readonly PatternToken[]): PatternToken[][] {
  const parts: PatternToken[][] = [[]];
  for (const token of tokens) {
    if (typeof token === 'string' || parts.length === 6) {
      parts[parts.length - 1]?.push(token);
      continue;
    }
    const pieces = token.literal.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (parts.length === 6) {
          parts[5]?.push({ literal: `:${piece}` });
          return;
        }
        parts.push([]);
      }
      if (piece) parts[parts.length - 1]?.push({ literal: piece });
    });
  }
  return parts;
}

function splitArn(value: string): string[] | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * ArnEquals / ArnLike: case-sensitive, component by component, `*` and `?` allowed in each component.
 * A request value that is not an ARN never matches.
 */
export function arnLike(pattern: readonly PatternToken[], value: string): boolean {
  const actual = splitArn(value);
  const expected = splitTokens(pattern);
  if (!actual || expected.length !== 6) return false;
  return expected.every((component, i) => matchesTokens(component, actual[i] ?? ''));
}

/** The account a Principal entry names as a whole (`123456789012` or `arn:aws:iam::123456789012:root`). */
export function accountOfEntry(entry: string): string | undefined {
  if (ACCOUNT_ID.test(entry)) return entry;
  return ROOT_ARN.exec(entry)?.[1];
}

export interface RoleRef {
  readonly partition: string;
  readonly accountId: string;
  readonly name: string;
}

/** `arn:aws:iam::123456789012:role/path/Name` → the role (the path is not part of a session ARN). */
export function parseRoleArn(arn: string): RoleRef | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { partition: m[1] ?? '', accountId: m[2] ?? '', name: m[3] ?? '' } : undefined;
}

/** `arn:aws:sts::123456789012:assumed-role/Name/session` → the role the session was assumed from. */
export function sessionRole(arn: string): RoleRef | undefined {
  const m = SESSION_ARN.exec(arn);
  return m ? { partition: m[1] ?? '', accountId: m[2] ?? '', name: m[3] ?? '' } : undefined;
}

export function sameRole(a: RoleRef, b: RoleRef): boolean {
  return a.partition === b.partition && a.accountId === b.accountId && a.name === b.name;
}

/** The friendly name of an IAM user (what `aws:username` holds); undefined for roles and others. */
export function userName(arn: string): string | undefined {
  return USER_ARN.exec(arn)?.[3];
}

/** Principal ARNs a policy may name: account root, users, roles, role sessions, federated users. */
export function isPrincipalArn(text: string): boolean {
  return ROOT_ARN.test(text) || ROLE_ARN.test(text) || USER_ARN.test(text) || SESSION_ARN.test(text) || /^arn:[^:]+:sts::\d{12}:federated-user\/.+$/.test(text);
}
