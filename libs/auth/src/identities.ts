import * as z from 'zod';
import type { Principal } from './authorizer';
import type { CredentialLookup, SigningCredential } from './sigv4';

/**
 * IAM-lite: accounts own users and roles; each holds long-term access keys and identity policies (raw IAM
 * policy documents, evaluated by `policy`). This is the config-file form of the embedded mode; the AWS
 * deployment keeps the same shape in DynamoDB.
 */

/** Access key ids end up inside the SigV4 credential scope, so they cannot contain `/`, `,` or spaces. */
const AccessKeySchema = z.object({
  accessKeyId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'access key ids are 1-128 letters, digits, _ or -'),
  secretAccessKey: z.string().min(1),
});

const PrincipalSchema = z.object({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'IAM names are 1-64 of letters, digits and +=,.@_-'),
  accessKeys: z.array(AccessKeySchema),
  policies: z.array(z.record(z.string(), z.unknown())).optional(),
  /** Defaults to `arn:aws:iam::<account>:user/<name>` (or `role/<name>`); set it for a path-qualified name. */
  arn: z.string().optional(),
});

const AccountSchema = z.object({
  id: z.string().regex(/^\d{12}$/, 'account ids are 12 digits'),
  region: z.string().min(1).optional(),
  users: z.array(PrincipalSchema).optional(),
  roles: z.array(PrincipalSchema).optional(),
});

type PrincipalKind = 'user' | 'role';

export const IdentityConfigSchema = z.object({ accounts: z.array(AccountSchema) }).superRefine((config, ctx) => {
  const seenAccounts = new Set<string>();
  const seenKeys = new Set<string>();
  const seenArns = new Set<string>();
  config.accounts.forEach((account, a) => {
    if (seenAccounts.has(account.id)) ctx.addIssue({ code: 'custom', path: ['accounts', a, 'id'], message: `account ${account.id} is listed twice` });
    seenAccounts.add(account.id);
    for (const kind of ['user', 'role'] as const) {
      const list = kind === 'user' ? account.users : account.roles;
      list?.forEach((principal, p) => {
        const path = ['accounts', a, `${kind}s`, p];
        const arn = principalArn(account.id, kind, principal);
        if (!arn.startsWith(`arn:aws:iam::${account.id}:${kind}/`)) {
          ctx.addIssue({ code: 'custom', path: [...path, 'arn'], message: `must be an IAM ${kind} ARN in account ${account.id}` });
        }
        if (seenArns.has(arn)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `${arn} is defined twice` });
        seenArns.add(arn);
        principal.accessKeys.forEach((key, k) => {
          if (seenKeys.has(key.accessKeyId)) {
            ctx.addIssue({ code: 'custom', path: [...path, 'accessKeys', k, 'accessKeyId'], message: `access key ${key.accessKeyId} is used twice` });
          }
          seenKeys.add(key.accessKeyId);
        });
      });
    }
  });
});

/** The config as written (input) and as validated. */
export type IdentityConfig = z.input<typeof IdentityConfigSchema>;

export interface IdentityAccount {
  readonly id: string;
  readonly region?: string;
}

interface Entry {
  readonly principal: Principal;
  readonly policies: readonly unknown[];
}

/**
 * The directory of principals built from a config: resolves access keys for SigV4 verification and
 * principals to their identity policies. Immutable; every lookup is a map read.
 */
export class IdentityDirectory {
  private readonly keys = new Map<string, { readonly secretAccessKey: string; readonly entry: Entry }>();
  private readonly byArn = new Map<string, Entry>();
  private readonly accountList: readonly IdentityAccount[];

  /** Validates `config` with IdentityConfigSchema: throws a ZodError naming every problem. */
  constructor(config: IdentityConfig) {
    const parsed = IdentityConfigSchema.parse(config);
    this.accountList = parsed.accounts.map(({ id, region }) => (region === undefined ? { id } : { id, region }));
    for (const account of parsed.accounts) {
      for (const [kind, list] of [
        ['user', account.users],
        ['role', account.roles],
      ] as const) {
        for (const definition of list ?? []) {
          const entry: Entry = {
            principal: { accountId: account.id, arn: principalArn(account.id, kind, definition) },
            policies: definition.policies ?? [],
          };
          this.byArn.set(entry.principal.arn, entry);
          for (const key of definition.accessKeys) this.keys.set(key.accessKeyId, { secretAccessKey: key.secretAccessKey, entry });
        }
      }
    }
  }

  /** The secret and owner of an access key; undefined for a key nobody holds. */
  lookupAccessKey(accessKeyId: string): SigningCredential | undefined {
    const found = this.keys.get(accessKeyId);
    return found && { secretAccessKey: found.secretAccessKey, principal: found.entry.principal };
  }

  /** lookupAccessKey in the form verifySigV4 takes. */
  readonly credentialLookup: CredentialLookup = async (accessKeyId) => this.lookupAccessKey(accessKeyId);

  /** The principal's identity policy documents, as configured; empty for an unknown principal. */
  identityPolicies(principalArn: string): readonly unknown[] {
    return this.byArn.get(principalArn)?.policies ?? [];
  }

  accounts(): readonly IdentityAccount[] {
    return this.accountList;
  }
}

/** The LocalStack convention: account 000000000000, user `admin` with key `test`/`test`, allowed everything. */
/**
 * Identities given as JSON text (an environment variable): parsed and validated, or an Error that names
 * `source` and says what is wrong, never echoing the text (it holds secret keys).
 */
export function parseIdentityConfigJson(text: string, source: string): IdentityConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON`);
  }
  const parsed = IdentityConfigSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${source} is invalid: ${z.prettifyError(parsed.error)}`);
  return value as IdentityConfig;
}

export function defaultIdentityConfig(): IdentityConfig {
  return {
    accounts: [
      {
        id: '000000000000',
        region: 'us-east-1',
        users: [
          {
            name: 'admin',
            arn: 'arn:aws:iam::000000000000:user/admin',
            accessKeys: [{ accessKeyId: 'test', secretAccessKey: 'test' }],
            policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
          },
        ],
      },
    ],
  };
}

function principalArn(accountId: string, kind: PrincipalKind, principal: { readonly name: string; readonly arn?: string | undefined }): string {
  return principal.arn ?? `arn:aws:iam::${accountId}:${kind}/${principal.name}`;
}
