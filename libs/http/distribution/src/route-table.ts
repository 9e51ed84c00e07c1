import type { EcrAction } from '@cargohold/auth';
import type { HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import type { Registry } from '@cargohold/registry-core';
import type { Digest, RepoRef } from '@cargohold/storage-ports';

/** Where a blob can be fetched directly (a presigned S3 URL); undefined means "stream it yourself". */
export interface BlobRedirects {
  /** `digest` is one the repository links (checked by the caller); the URL must expire within minutes. */
  urlFor(digest: Digest): Promise<string | undefined>;
}

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
  readonly blobRedirects?: BlobRedirects;
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
  /** POST/PATCH of an upload: under a request cap its 202 advertises `OCI-Chunk-Min-Length`. */
  readonly uploadStep?: boolean;
}
