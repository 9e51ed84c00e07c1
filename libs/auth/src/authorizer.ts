import type { EcrAction } from './actions';
import type { FillScope } from './token';

/** Who made a request, once authenticated. */
export interface Principal {
  readonly accountId: string;
  /** `arn:aws:iam::<account>:user/<name>` (or role, or `*` for anonymous access). */
  readonly arn: string;
}

/** One thing a request needs to do: an ECR action on a repository, or on the whole registry. */
export interface AccessRecord {
  readonly action: EcrAction;
  /** Repository the action targets; absent for registry-wide actions such as the catalog. */
  readonly repository?: string;
  /** The blob a blob route addresses (so a download-only token can be held to its one blob). */
  readonly digest?: string;
  /** The upload session an upload route addresses (so an upload capability can be held to its one upload). */
  readonly uploadId?: string;
}

/** Everything one request needs, asked at once: the caller is authenticated once, the policies read once. */
export interface AccessRequest {
  /** The registry the request addresses; a token must have been issued for it. */
  readonly registry: string;
  /** Empty: the route only needs an authenticated caller (e.g. `GET /v2/`). */
  readonly access: readonly AccessRecord[];
  /** The raw `Authorization` header, if any. */
  readonly authorization?: string;
  /**
   * An upload capability (the token an upload's Location carries), or a pull-through fill capability (the
   * token a blob miss's redirect carries), if the request brought one. It must name the upload or blob
   * every record addresses; with an `authorization` too, both must name the same caller.
   */
  readonly capability?: string;
  readonly sourceIp?: string;
}

export type AccessDecision =
  | {
      readonly allowed: true;
      readonly principal: Principal;
      /** The request came with a pull-through fill capability: the blob and the rule it is bound to. */
      readonly fill?: FillScope;
    }
  | { readonly allowed: false; readonly reason: 'unauthenticated'; readonly message: string }
  | {
      readonly allowed: false;
      readonly reason: 'denied';
      /** Names the first record the policies do not allow. */
      readonly message: string;
      /** Per record of the request, in order, whether the policies allow it (for filtering a list). */
      readonly granted?: readonly boolean[];
    };

/**
 * The authorization seam of every `/v2/` route: authenticate the caller, then decide whether the
 * principal may perform every action the request needs.
 *
 * Contract: never throws for a bad credential (that is `unauthenticated`); `denied` only for an
 * authenticated principal whose policies do not allow one of the records; allowed only when they allow
 * all of them; evaluates on every request, all records in one evaluation.
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
