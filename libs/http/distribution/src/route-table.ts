import type { AccessRecord, EcrAction, FillScope } from '@cargohold/auth';
import type { HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import { RegistryError } from '@cargohold/oci';
import type { Registry } from '@cargohold/registry-core';
import type { Digest, RepoRef } from '@cargohold/storage-ports';
import type { FillRule } from './blob-fills';
import { deleteBlob, getBlob, headBlob } from './blob-routes';
import { hasBody } from './http-headers';
import type { PullThroughHook } from './pull-through-hook';
import { catalog, listTags, versionCheck } from './listing-routes';
import { deleteManifest, getManifest, getReferrers, headManifest, putManifest } from './manifest-routes';
import { cancelUpload, completeUpload, patchUpload, startUpload, uploadStatus } from './upload-routes';

/** Where a blob can be fetched directly (a presigned S3 URL); undefined means "stream it yourself". */
export interface BlobRedirects {
  /** `digest` is one the repository links (checked by the caller); the URL must expire within minutes. */
  urlFor(digest: Digest): Promise<string | undefined>;
}

/** What every matched route hands its handler. */
export interface RegistryContext {
  readonly request: HttpRequest;
  readonly registry: Registry;
  /** The registry (account, region) the request addresses, as a RegistryKey string. */
  readonly registryKey: string;
  /** Who the request is from, once authorized (the puller whose pull time may be recorded). */
  readonly principalArn?: string;
  /**
   * Asks the authorizer about more than the route needed, all records in one evaluation, with the
   * request's credentials: the catalog filters a page, a cross-repository mount checks its source.
   */
  readonly allows: (access: readonly AccessRecord[]) => Promise<readonly boolean[]>;
  readonly blobRedirects?: BlobRedirects;
  /** The `Location` of an upload session, for the request's caller (a path here, or on the upload gateway). */
  readonly locateUpload: (repo: RepoRef, uploadId: string) => string;
  /** The pull-through cache: fills repositories a rule covers on a read miss. */
  readonly pullThrough?: PullThroughHook;
  /** Where a pull-through blob miss is filled when this server cannot carry a layer (a Lambda): the gateway's URL. */
  readonly locateFill?: (repo: RepoRef, digest: string, rule: FillRule) => string;
  /** On the gateway: the fill capability the request came with (its blob and rule, verified). */
  readonly fill?: FillScope;
}

/** A repository route's context: the repository (name validated) and its path parameter. */
export interface RouteContext extends RegistryContext {
  readonly repo: RepoRef;
  /** The pattern's named group after the repository name: a `reference`, `digest` or `uuid`. */
  readonly param: string;
}

export type RouteHandler = (context: RouteContext) => Promise<HttpResponse>;
export type RegistryRouteHandler = (context: RegistryContext) => Promise<HttpResponse>;

export type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

interface RouteRow {
  readonly method: Method;
  /** Anchored; a repository route's named groups are `name` and one of `reference`, `digest`, `uuid`. */
  readonly pattern: RegExp;
  /**
   * The ECR IAM actions the request needs, on the repository (on the registry for registry routes):
   * all asked in one authorization before the handler runs. Empty: any authenticated caller.
   */
  readonly actions: readonly EcrAction[] | ((request: HttpRequest) => readonly EcrAction[]);
  /** Blob reads: the records name the blob, and a GetDownloadUrlForLayer token is accepted in the query. */
  readonly blobRead?: boolean;
  /** POST/PATCH of an upload: under a request cap its 202 advertises `OCI-Chunk-Min-Length`. */
  readonly uploadStep?: boolean;
  /** A request on one upload session (its `uuid`): what an upload gateway serves, with a capability. */
  readonly uploadSession?: boolean;
  /** A blob read an upload gateway also serves, with a pull-through fill capability (a Lambda's blob miss). */
  readonly gatewayFill?: boolean;
}

export type Route = RouteRow &
  ({ readonly scope: 'registry'; readonly handler: RegistryRouteHandler } | { readonly scope?: 'repository'; readonly handler: RouteHandler });

const NAME = '(?<name>.+)';
const BASE = /^\/v2\/?$/;
const CATALOG = /^\/v2\/_catalog$/;
const MANIFEST = new RegExp(`^/v2/${NAME}/manifests/(?<reference>[^/]+)$`);
const UPLOADS = new RegExp(`^/v2/${NAME}/blobs/uploads/?$`);
const UPLOAD = new RegExp(`^/v2/${NAME}/blobs/uploads/(?<uuid>[^/]+)$`);
const BLOB = new RegExp(`^/v2/${NAME}/blobs/(?<digest>[^/]+)$`);
const TAGS = new RegExp(`^/v2/${NAME}/tags/list$`);
const REFERRERS = new RegExp(`^/v2/${NAME}/referrers/(?<digest>[^/]+)$`);

/** A whole blob in one POST (`?digest=`, no mount) is also a part and a completion: it needs all three. */
function startUploadActions(request: HttpRequest): readonly EcrAction[] {
  const monolithic = request.query.get('digest') !== null && request.query.get('mount') === null;
  return monolithic ? ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'] : ['ecr:InitiateLayerUpload'];
}

/** A PUT that closes an upload with a body also uploads a part: it needs both, as `ecr:UploadLayerPart` gates every byte. */
function completeUploadActions(request: HttpRequest): readonly EcrAction[] {
  return hasBody(request.headers) ? ['ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'] : ['ecr:CompleteLayerUpload'];
}

/**
 * The OCI Distribution Spec v1.1 endpoints: the one table every `/v2/` request goes through. A request
 * takes the first row whose pattern and method match; a path some row matches under another method
 * answers 405 with `Allow`, any other path 404.
 */
export const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: BASE, actions: [], handler: versionCheck, scope: 'registry' },
  { method: 'HEAD', pattern: BASE, actions: [], handler: versionCheck, scope: 'registry' },
  { method: 'GET', pattern: CATALOG, actions: ['ecr:DescribeRepositories'], handler: catalog, scope: 'registry' },
  { method: 'GET', pattern: TAGS, actions: ['ecr:ListImages'], handler: listTags },
  { method: 'GET', pattern: MANIFEST, actions: ['ecr:BatchGetImage'], handler: getManifest },
  { method: 'HEAD', pattern: MANIFEST, actions: ['ecr:BatchGetImage'], handler: headManifest },
  { method: 'PUT', pattern: MANIFEST, actions: ['ecr:PutImage'], handler: putManifest },
  { method: 'DELETE', pattern: MANIFEST, actions: ['ecr:BatchDeleteImage'], handler: deleteManifest },
  { method: 'GET', pattern: REFERRERS, actions: ['ecr:BatchGetImage'], handler: getReferrers },
  { method: 'POST', pattern: UPLOADS, actions: startUploadActions, handler: startUpload, uploadStep: true },
  { method: 'GET', pattern: UPLOAD, actions: ['ecr:UploadLayerPart'], handler: uploadStatus, uploadSession: true },
  { method: 'PATCH', pattern: UPLOAD, actions: ['ecr:UploadLayerPart'], handler: patchUpload, uploadStep: true, uploadSession: true },
  { method: 'PUT', pattern: UPLOAD, actions: completeUploadActions, handler: completeUpload, uploadSession: true },
  { method: 'DELETE', pattern: UPLOAD, actions: ['ecr:UploadLayerPart'], handler: cancelUpload, uploadSession: true },
  { method: 'GET', pattern: BLOB, actions: ['ecr:GetDownloadUrlForLayer'], handler: getBlob, blobRead: true, gatewayFill: true },
  { method: 'HEAD', pattern: BLOB, actions: ['ecr:BatchCheckLayerAvailability'], handler: headBlob, blobRead: true, gatewayFill: true },
  { method: 'DELETE', pattern: BLOB, actions: ['ecr:BatchDeleteImage'], handler: deleteBlob },
];

export class RouteNotFoundError extends RegistryError {
  constructor(path: string) {
    super('UNSUPPORTED', `no such endpoint: ${path.slice(0, 200)}`, { status: 404 });
  }
}

class MethodNotAllowedError extends RegistryError {
  constructor(method: string, allowed: string[]) {
    super('UNSUPPORTED', `${method} is not supported here`, { headers: { Allow: allowed.join(', ') } });
  }
}

export interface RouteMatch {
  readonly route: Route;
  /** The pattern's named groups (`name`, `reference`, `digest`, `uuid`), as matched. */
  readonly groups: Readonly<Record<string, string>>;
}

/** What an upload gateway serves: upload sessions, and blob reads that carry a fill capability. */
export type GatewayServes = { readonly fills: boolean } | undefined;

/**
 * The first row whose pattern and method match, or the 404/405 the table implies. An upload gateway
 * serves only the upload-session rows, and the blob reads when the request carries a fill capability:
 * every other path is unknown there.
 */
export function matchRoute(method: string, path: string, gateway?: GatewayServes): RouteMatch {
  const served = (route: Route) => !gateway || route.uploadSession === true || (gateway.fills && route.gatewayFill === true);
  // Every request comes here: try only the rows of its method (one regex, usually), and work out the
  // 404 or 405 only when none matches.
  for (const route of ROUTES) {
    if (route.method !== method || !served(route)) continue;
    const match = route.pattern.exec(path);
    // The match's own (null-prototype) groups object: a fresh one per exec, nobody else holds it.
    if (match) return { route, groups: match.groups ?? {} };
  }
  const candidates = ROUTES.filter((route) => route.pattern.test(path) && served(route));
  if (candidates.length === 0) throw new RouteNotFoundError(path);
  throw new MethodNotAllowedError(method, [...new Set(candidates.map((c) => c.method))]);
}
