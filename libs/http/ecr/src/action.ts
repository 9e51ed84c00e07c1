import type { Principal } from '@cargohold/auth';
import type { AccessVerdict, Registry } from '@cargohold/registry-core';
import type { RepoRef, Repository } from '@cargohold/storage-ports';
import type * as z from 'zod';
import type { ErrorOverrides } from './aws-errors';
import type { PageTokens } from './page-token';
import type { PullThroughCacheAdmin } from './pull-through-admin';

/** Who is calling and where: resolved by the dispatcher before an action runs. */
export interface CallerContext {
  readonly principal: Principal;
  /** Region from the SigV4 credential scope. */
  readonly region: string;
  /** The Host the client addressed, for repository URIs and proxy endpoints. */
  readonly host: string;
  readonly now: Date;
  readonly sourceIp?: string;
}

export interface ActionContext extends CallerContext {
  readonly registry: Registry;
  /** `registryId` (an account id) or the caller's account, in the caller's region. */
  registryKey(registryId?: string): string;
  repo(repositoryName: string, registryId?: string): RepoRef;
  /** The host a docker client uses for a registry (`localhost:5000`, `<acct>.dkr.ecr.<region>.<domain>`). */
  registryHost(registryKey: string): string;
  /** The repository URI a docker client can push to, as given. */
  repositoryUri(registryKey: string, name: string): string;
  repositoryArn(registryKey: string, name: string): string;
  /** Extra services some actions need (tokens, download URLs), injected by the composition root. */
  readonly services: ActionServices;
  /** This operation's sealed `nextToken`s (see page-token.ts); the scope is what the listing pages over. */
  readonly pageToken: PageTokens;
  /**
   * IAM for more repositories than the dispatcher checked, in one evaluation: actions over several
   * repositories (DescribeRepositories, BatchGetRepositoryScanningConfiguration) ask for all of them
   * at once; the answers come back in order. A repository given whole (read by this request, e.g. a
   * listing page) brings its policy along instead of being read again.
   */
  decideEach(iamAction: string, registryKey: string, repositories: readonly (string | Repository)[]): Promise<readonly AccessVerdict[]>;
}

export interface ActionServices {
  /** GetAuthorizationToken: a signed 12-hour token for the caller. */
  issueToken(principal: Principal, registryKey: string): { token: string; expiresAt: Date };
  /** A short-lived URL, on the registry's `host`, that downloads a layer without further credentials. */
  downloadUrl(host: string, repo: RepoRef, digest: string, principal: Principal): string;
  /** Validates a policy document before it is stored (throws InvalidParameterError). */
  validatePolicy(text: string, kind: 'repository' | 'registry'): void;
  /** Pull-through cache rules; without one, none exist and creating one is refused. */
  readonly pullThroughCache?: PullThroughCacheAdmin;
}

/**
 * One ECR action: its input schema, the IAM action and resource it is authorized against, and the
 * handler that calls the core. Handlers never catch errors: the dispatcher maps them once.
 */
export interface EcrAction<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly input: S;
  /** The repository the IAM check targets; undefined for registry-wide actions (resource `*`). */
  readonly resource?: (input: z.infer<S>) => { repositoryName: string; registryId?: string | undefined } | undefined;
  /** IAM action, when it differs from `ecr:<name>`. */
  readonly iamAction?: string;
  readonly errors?: ErrorOverrides;
  handle(input: z.infer<S>, context: ActionContext): Promise<unknown>;
}

export function defineAction<S extends z.ZodType>(action: EcrAction<S>): EcrAction<S> {
  return action;
}

export const epochSeconds = (date: Date | undefined): number | undefined => (date === undefined ? undefined : date.getTime() / 1000);

/** What a missing answer counts as: never an Allow (an evaluation that answered nothing denies). */
export const NO_VERDICT: AccessVerdict = { decision: 'ImplicitDeny', missing: 'identity' };
