import type { EcrAction } from './actions';

/** Who made a request, once authenticated. */
export interface Principal {
  readonly accountId: string;
  /** `arn:aws:iam::<account>:user/<name>` (or role, or `*` for anonymous access). */
  readonly arn: string;
}

export interface AccessRequest {
  /** null: the route only needs an authenticated caller (e.g. `GET /v2/`). */
  readonly action: EcrAction | null;
  readonly registry: string;
  /** Repository the action targets; absent for registry-wide actions such as the catalog. */
  readonly repository?: string;
  /** The blob a blob route addresses (so a download-only token can be held to its one blob). */
  readonly digest?: string;
  /** The raw `Authorization` header, if any. */
  readonly authorization?: string;
  readonly sourceIp?: string;
}

export type AccessDecision =
  | { readonly allowed: true; readonly principal: Principal }
  | { readonly allowed: false; readonly reason: 'unauthenticated' | 'denied'; readonly message: string };

/**
 * The authorization seam of every `/v2/` route: authenticate the caller, then decide whether the
 * principal may perform `action` on the repository.
 *
 * Contract: never throws for a bad credential (that is `unauthenticated`); `denied` only for an
 * authenticated principal whose policies do not allow the action; evaluates on every request.
 */
export interface Authorizer {
  authorize(request: AccessRequest): Promise<AccessDecision>;
}

const ANONYMOUS: Principal = { accountId: '000000000000', arn: '*' };

/** Lets every request through as an anonymous principal: `--allow-anonymous`, throwaway registries. */
export class AllowAllAuthorizer implements Authorizer {
  async authorize(_request: AccessRequest): Promise<AccessDecision> {
    return { allowed: true, principal: ANONYMOUS };
  }
}
