import type { EcrAction } from '@cargohold/auth';
import type { HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import type { Registry } from '@cargohold/registry-core';
import type { RepoRef } from '@cargohold/storage-ports';

/** What a matched route hands its handler: the repository (validated) and the path parameter. */
export interface RouteContext {
  readonly request: HttpRequest;
  readonly registry: Registry;
  readonly registryId: string;
  readonly repo: RepoRef;
  /** The path segment after the route's keyword: a reference, digest or upload id. */
  readonly param: string;
  /** Asks the authorizer about a second repository (cross-repository mount's source). */
  readonly canRead: (repo: RepoRef, action: EcrAction) => Promise<boolean>;
}

export type RouteHandler = (context: RouteContext) => Promise<HttpResponse>;

/**
 * One row per endpoint of the OCI Distribution Spec. `action` is the ECR IAM action the request needs
 * on the repository — the authorization seam every route goes through.
 */
export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly action: EcrAction;
  readonly handler: RouteHandler;
}
