import { unverifiedTokenRegistry, type AccessDecision, type AccessRecord, type AccessRequest, type Authorizer, type EcrAction } from '@cargohold/auth';
import type { HttpHandler, HttpRequest, HttpResponse } from '@cargohold/lambda-kit';
import { RegistryError, validateRepositoryName } from '@cargohold/oci';
import { isStoredBytesCorruption, type Registry } from '@cargohold/registry-core';
import type { Logger } from 'pino';
import { errorResponse, withoutBody } from './responses';
import { limitRequestBody, type RequestLimits } from './request-limits';
import { matchRoute, type BlobRedirects, type RegistryContext } from './route-table';
import type { PullThroughHook } from './pull-through-hook';
import { SAME_HOST_UPLOADS, UPLOAD_CAPABILITY_PARAM, type UploadLocations } from './upload-locations';
import { FILL_CAPABILITY_PARAM, type BlobFills, type FillRule } from './blob-fills';
import type { RepoRef } from '@cargohold/storage-ports';

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
  /** Where upload sessions are continued: this host (the default) or the upload gateway, by capability. */
  readonly uploadLocations?: UploadLocations;
  /**
   * `upload-gateway`: serve only requests on upload sessions, each with its capability (the long-lived
   * server beside the Lambdas that takes bodies of any size). Default `all`.
   */
  readonly role?: 'all' | 'upload-gateway';
  /** The pull-through cache (the cache-syncer): repositories a rule covers are filled on a read miss. */
  readonly pullThrough?: PullThroughHook;
  /**
   * With `blobRedirects` (a Lambda): a pull-through blob miss answers 307 to the upload gateway, by
   * capability, which streams the upstream's bytes while storing them. Without it the miss is stored here first.
   */
  readonly blobFills?: BlobFills;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

class NotAuthorizedError extends RegistryError {
  constructor(decision: Pick<Extract<AccessDecision, { allowed: false }>, 'reason' | 'message'>, realm: string) {
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
      else if (isStoredBytesCorruption(error)) deps.logger?.error({ err: error, path: request.path }, 'stored bytes failed verification and were quarantined');
      response = failure;
    }
    return request.method === 'HEAD' ? withoutBody(response) : response;
  };
}

/**
 * Every request: match the route table, collect the access records the route needs, ask the authorizer
 * once, then run the handler over the (bounded) request.
 */
async function dispatch(deps: DistributionApiDeps, request: HttpRequest): Promise<HttpResponse> {
  const gateway = deps.role === 'upload-gateway';
  const { route, groups } = matchRoute(request.method, request.path, gateway ? { fills: request.query.has(FILL_CAPABILITY_PARAM) } : undefined);
  const name = groups['name'];
  if (name !== undefined) validateRepositoryName(name);
  // Only a refusal names the realm; built then, not on every request.
  const realm = () => `http://${request.headers['host'] ?? 'localhost'}/`;
  const capabilityParam = route.uploadSession ? UPLOAD_CAPABILITY_PARAM : gateway && route.gatewayFill ? FILL_CAPABILITY_PARAM : undefined;
  const capability = capabilityParam === undefined ? undefined : (request.query.get(capabilityParam) ?? undefined);
  if (gateway && capability === undefined) throw new NotAuthorizedError({ reason: 'unauthenticated', message: MISSING_CAPABILITY }, realm());
  // A gateway's host is the same for every registry: a capability names its registry (and is
  // then verified against it, so a forged one only fails).
  const registryKey = (capability !== undefined ? unverifiedTokenRegistry(capability) : undefined) ?? deps.registryFor(request.headers['host']);
  const authorization = request.headers['authorization'] ?? (route.blobRead ? downloadToken(request) : undefined);
  // Field by field, not spread into a literal: every request asks at least once.
  const ask = (access: readonly AccessRecord[]) => {
    const asked: Mutable<AccessRequest> = { registry: registryKey, access };
    if (authorization !== undefined) asked.authorization = authorization;
    if (capability !== undefined) asked.capability = capability;
    if (request.sourceIp !== undefined) asked.sourceIp = request.sourceIp;
    return deps.authorizer.authorize(asked);
  };

  const actions = typeof route.actions === 'function' ? route.actions(request) : route.actions;
  const access = actions.map((action) =>
    accessRecord(action, name, route.blobRead ? groups['digest'] : undefined, route.uploadSession ? groups['uuid'] : undefined),
  );
  const observed = request.observed;
  if (observed) {
    observed.registry = registryKey;
    observed.action = actions.length === 1 ? (actions[0] as string) : actions.join(',');
    if (name !== undefined) observed.repository = name;
  }
  const decision = await ask(access);
  if (!decision.allowed) {
    if (observed) observed.denied = `${decision.reason}: ${decision.message}`;
    throw new NotAuthorizedError(decision, realm());
  }
  if (observed) observed.principal = decision.principal.arn;

  const limits = deps.requestLimits;
  const uploads = deps.uploadLocations ?? SAME_HOST_UPLOADS;
  // Only a server that redirects blob reads (a Lambda) sends misses elsewhere; the gateway fills them itself.
  const fills = deps.blobRedirects && !gateway ? deps.blobFills : undefined;
  const context: Mutable<RegistryContext> = {
    request: limits && BODY_METHODS.has(request.method) ? limitRequestBody(request, limits) : request,
    registry: deps.registry,
    registryKey,
    allows: async (access) => granted(await ask(access), access.length),
    locateUpload: (repo, uploadId) => uploads.locationOf(repo, uploadId, decision.principal),
    principalArn: decision.principal.arn,
  };
  if (deps.blobRedirects) context.blobRedirects = deps.blobRedirects;
  if (deps.pullThrough) context.pullThrough = deps.pullThrough;
  if (decision.fill) context.fill = decision.fill;
  if (fills) context.locateFill = (repo: RepoRef, digest: string, rule: FillRule) => fills.locationOf(repo, digest, rule, decision.principal);
  if (route.scope === 'registry') return route.handler(context);
  // A repository route's one group besides the name (ROUTES).
  const param = groups['reference'] ?? groups['digest'] ?? groups['uuid'] ?? '';
  const response = await route.handler(Object.assign(context, { repo: { registry: registryKey, name: name ?? '' }, param }));
  if (!limits || uploads.viaGateway || !route.uploadStep || response.status !== 202) return response;
  return { ...response, headers: { ...response.headers, 'OCI-Chunk-Min-Length': limits.chunkMinLength } };
}

const MISSING_CAPABILITY = 'This upload or blob URL lacks its capability: use the Location the registry answered, or start again.';

/** Per record, whether the decision allows it: all when allowed, none when unauthenticated. */
function granted(decision: AccessDecision, count: number): readonly boolean[] {
  if (decision.allowed) return new Array<boolean>(count).fill(true);
  return decision.reason === 'denied' && decision.granted ? decision.granted : new Array<boolean>(count).fill(false);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One access record; absent parts stay absent (not undefined). Built without spreads: every request makes these. */
function accessRecord(action: EcrAction, repository: string | undefined, digest: string | undefined, uploadId: string | undefined): AccessRecord {
  const record: Mutable<AccessRecord> = { action };
  if (repository !== undefined) record.repository = repository;
  if (digest !== undefined) record.digest = digest;
  if (uploadId !== undefined) record.uploadId = uploadId;
  return record;
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
