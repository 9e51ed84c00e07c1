import type { AccessDecision, Authorizer, EcrAction } from '@cargohold/auth';
import type { HttpHandler, HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import { RegistryError, validateRepositoryName } from '@cargohold/oci';
import type { Registry } from '@cargohold/registry-core';
import type { RepoRef } from '@cargohold/storage-ports';
import type { Logger } from 'pino';
import { deleteBlob, getBlob, headBlob } from './blob-routes';
import { catalog, listTags } from './listing-routes';
import { deleteManifest, getManifest, getReferrers, headManifest, putManifest } from './manifest-routes';
import { errorResponse, json, withoutBody } from './responses';
import { limitRequestBody, type RequestLimits } from './request-limits';
import type { BlobRedirects, Route } from './route-table';
import { cancelUpload, completeUpload, patchUpload, startUpload, uploadStatus } from './upload-routes';

const NAME = '(.+)';
const MANIFEST = new RegExp(`^/v2/${NAME}/manifests/([^/]+)$`);
const UPLOADS = new RegExp(`^/v2/${NAME}/blobs/uploads/?()$`);
const UPLOAD = new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`);
const BLOB = new RegExp(`^/v2/${NAME}/blobs/([^/]+)$`);
const TAGS = new RegExp(`^/v2/${NAME}/tags/list()$`);
const REFERRERS = new RegExp(`^/v2/${NAME}/referrers/([^/]+)$`);

/** The OCI Distribution Spec v1.1 endpoints, each with the ECR action it needs. Order matters. */
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: TAGS, action: 'ecr:ListImages', handler: listTags },
  { method: 'GET', pattern: MANIFEST, action: 'ecr:BatchGetImage', handler: getManifest },
  { method: 'HEAD', pattern: MANIFEST, action: 'ecr:BatchGetImage', handler: headManifest },
  { method: 'PUT', pattern: MANIFEST, action: 'ecr:PutImage', handler: putManifest },
  { method: 'DELETE', pattern: MANIFEST, action: 'ecr:BatchDeleteImage', handler: deleteManifest },
  { method: 'GET', pattern: REFERRERS, action: 'ecr:BatchGetImage', handler: getReferrers },
  { method: 'POST', pattern: UPLOADS, action: 'ecr:InitiateLayerUpload', handler: startUpload, uploadStep: true },
  { method: 'GET', pattern: UPLOAD, action: 'ecr:UploadLayerPart', handler: uploadStatus },
  { method: 'PATCH', pattern: UPLOAD, action: 'ecr:UploadLayerPart', handler: patchUpload, uploadStep: true },
  { method: 'PUT', pattern: UPLOAD, action: 'ecr:CompleteLayerUpload', handler: completeUpload },
  { method: 'DELETE', pattern: UPLOAD, action: 'ecr:UploadLayerPart', handler: cancelUpload },
  { method: 'GET', pattern: BLOB, action: 'ecr:GetDownloadUrlForLayer', handler: getBlob },
  { method: 'HEAD', pattern: BLOB, action: 'ecr:BatchCheckLayerAvailability', handler: headBlob },
  { method: 'DELETE', pattern: BLOB, action: 'ecr:BatchDeleteImage', handler: deleteBlob },
];

export interface DistributionApiDeps {
  readonly registry: Registry;
  readonly authorizer: Authorizer;
  /** Picks the registry (account, region) a request addresses, from its Host header. */
  readonly registryFor: (host: string | undefined) => string;
  readonly logger?: Logger;
  /** On AWS: blob GETs answer 307 to a short-lived presigned S3 URL instead of streaming through Lambda. */
  readonly blobRedirects?: BlobRedirects;
  /** A per-request body cap (Lambda's 6 MB, or `--max-request-bytes`); none when absent. */
  readonly requestLimits?: RequestLimits;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

class RouteNotFoundError extends RegistryError {
  constructor(path: string) {
    super('UNSUPPORTED', `no such endpoint: ${path.slice(0, 200)}`, { status: 404 });
  }
}

class MethodNotAllowedError extends RegistryError {
  constructor(method: string, allowed: string[]) {
    super('UNSUPPORTED', `${method} is not supported here`, { headers: { Allow: allowed.join(', ') } });
  }
}

class NotAuthorizedError extends RegistryError {
  constructor(decision: Extract<AccessDecision, { allowed: false }>, realm: string) {
    super(decision.reason === 'unauthenticated' ? 'UNAUTHORIZED' : 'DENIED', decision.message, {
      headers: decision.reason === 'unauthenticated' ? { 'WWW-Authenticate': `Basic realm="${realm}",service="ecr.amazonaws.com"` } : {},
    });
  }
}

/** The `/v2/` API as a transport-neutral handler: route, authorize, call the core, serialize errors once. */
export function createDistributionApi(deps: DistributionApiDeps): HttpHandler {
  return async (request) => {
    let response: HttpResponse;
    try {
      response = await dispatch(deps, request);
    } catch (error) {
      const { response: failure, expected } = errorResponse(error);
      if (!expected) deps.logger?.error({ err: error, method: request.method, path: request.path }, 'request failed');
      response = failure;
    }
    return request.method === 'HEAD' ? withoutBody(response) : response;
  };
}

async function dispatch(deps: DistributionApiDeps, request: HttpRequest): Promise<HttpResponse> {
  const { path, method } = request;
  const registryId = deps.registryFor(request.headers['host']);
  const realm = `http://${request.headers['host'] ?? 'localhost'}/`;
  let authorization = request.headers['authorization'];
  const authorize = async (action: EcrAction | null, repository?: string, digest?: string) => {
    const decision = await deps.authorizer.authorize({
      action,
      registry: registryId,
      ...(repository !== undefined ? { repository } : {}),
      ...(digest !== undefined ? { digest } : {}),
      ...(authorization !== undefined ? { authorization } : {}),
      ...(request.sourceIp !== undefined ? { sourceIp: request.sourceIp } : {}),
    });
    if (!decision.allowed) throw new NotAuthorizedError(decision, realm);
  };

  if (path === '/v2/' || path === '/v2') {
    if (method !== 'GET' && method !== 'HEAD') throw new MethodNotAllowedError(method, ['GET', 'HEAD']);
    await authorize(null);
    return json(200, {});
  }
  if (path === '/v2/_catalog') {
    if (method !== 'GET') throw new MethodNotAllowedError(method, ['GET']);
    await authorize('ecr:DescribeRepositories');
    const visible = async (name: string) =>
      (
        await deps.authorizer.authorize({
          action: 'ecr:DescribeRepositories',
          registry: registryId,
          repository: name,
          ...(authorization !== undefined ? { authorization } : {}),
          ...(request.sourceIp !== undefined ? { sourceIp: request.sourceIp } : {}),
        })
      ).allowed;
    return catalog(deps.registry, registryId, request, visible);
  }

  const candidates = ROUTES.filter((route) => route.pattern.test(path));
  if (candidates.length === 0) throw new RouteNotFoundError(path);
  const route = candidates.find((candidate) => candidate.method === method);
  if (!route) throw new MethodNotAllowedError(method, [...new Set(candidates.map((c) => c.method))]);
  const [, name = '', param = ''] = route.pattern.exec(path) ?? [];
  validateRepositoryName(name);
  const blobRead = route.pattern === BLOB && route.method !== 'DELETE';
  if (authorization === undefined && blobRead) authorization = downloadToken(request);
  await authorize(route.action, name, blobRead ? param : undefined);
  // A whole blob in one POST is also a part and a completion: it needs what PATCH and PUT need.
  if (route.pattern === UPLOADS && request.query.get('digest') !== null && request.query.get('mount') === null) {
    await authorize('ecr:UploadLayerPart', name);
    await authorize('ecr:CompleteLayerUpload', name);
  }

  const limits = deps.requestLimits;
  const bounded = limits && BODY_METHODS.has(method) ? limitRequestBody(request, limits) : request;
  const repo: RepoRef = { registry: registryId, name };
  const canRead = async (source: RepoRef, action: EcrAction) => {
    const decision = await deps.authorizer.authorize({
      action,
      registry: source.registry,
      repository: source.name,
      ...(authorization !== undefined ? { authorization } : {}),
      ...(request.sourceIp !== undefined ? { sourceIp: request.sourceIp } : {}),
    });
    return decision.allowed;
  };
  const response = await route.handler({
    request: bounded,
    registry: deps.registry,
    registryId,
    repo,
    param,
    canRead,
    ...(deps.blobRedirects ? { blobRedirects: deps.blobRedirects } : {}),
  });
  if (!limits || !route.uploadStep || response.status !== 202) return response;
  return { ...response, headers: { ...response.headers, 'OCI-Chunk-Min-Length': limits.chunkMinLength } };
}

/**
 * A blob download's credentials when it has no Authorization header: the short-lived token that
 * GetDownloadUrlForLayer put in the URL (the same token format, so the same checks apply). Accepted on
 * blob GET/HEAD only, so a leaked download URL cannot list tags or read manifests.
 */
function downloadToken(request: HttpRequest): string | undefined {
  const token = request.query.get('X-Cargohold-Token');
  return token === null ? undefined : `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`;
}
