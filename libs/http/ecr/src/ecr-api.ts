import { randomUUID } from 'node:crypto';
import type { Principal } from '@cargohold/auth';
import { readBody, type HttpHandler, type HttpRequest, type HttpResponse } from '@cargohold/lambda-kit';
import { formatRegistryKey, registryHost, repositoryArn } from '@cargohold/oci';
import { accountOf, type AccessVerdict, type Registry } from '@cargohold/registry-core';
import type { Logger } from 'pino';
import * as z from 'zod';
import { NO_VERDICT, type ActionContext, type ActionServices, type CallerContext, type EcrAction } from './action';
import { ACTIONS } from './actions';
import { accessDenied, AwsError, toAwsError } from './aws-errors';
import { pageTokens } from './page-token';
import { validationMessage } from './validation-message';

export const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface AuthorizationCheck {
  readonly principal: Principal;
  readonly action: string;
  readonly registryKey: string;
  readonly repositoryName?: string;
  readonly sourceIp?: string;
}

export interface EcrApiDeps {
  readonly registry: Registry;
  /** Verifies SigV4 over the exact body received; throws AwsError with AWS's names on failure. */
  authenticate(request: HttpRequest, body: Buffer, now: Date): Promise<{ principal: Principal; region: string }>;
  /** IAM evaluation (identity, repository and registry policies): a batch of checks in one evaluation, each verdict naming what decided it. */
  authorize(checks: readonly AuthorizationCheck[]): Promise<readonly AccessVerdict[]>;
  readonly services: ActionServices;
  /** Seals pagination tokens (a secret of the deployment: the auth token key serves). */
  readonly pageTokenKey: Buffer;
  /** Domain of the `<account>.dkr.ecr.<region>.<domain>` host form for non-default registries. */
  readonly registryDomain: string;
  /** The registry plain hosts (localhost:5000) address. */
  readonly defaultRegistry: string;
  readonly maxBodyBytes?: number;
  readonly clock?: { now(): Date };
  readonly logger?: Logger;
}

export function isEcrApiRequest(request: HttpRequest): boolean {
  return request.method === 'POST' && (request.path === '/' || request.path === '') && request.headers['x-amz-target'] !== undefined;
}

/** The ECR control plane over the AWS JSON 1.1 protocol: authenticate, authorize, run, serialize once. */
export function createEcrApi(deps: EcrApiDeps): HttpHandler {
  return async (request) => {
    // The transport's id when it made one (the request log's key), so log line and response agree.
    const requestId = request.observed?.requestId ?? randomUUID();
    try {
      return ok(requestId, await dispatch(deps, request));
    } catch (error) {
      const aws = toAwsError(error);
      if (aws) return failure(requestId, aws);
      deps.logger?.error({ err: error, target: request.headers['x-amz-target'] }, 'ECR API request failed');
      return failure(requestId, new AwsError('ServerException', 'An internal error occurred', 500));
    }
  };
}

async function dispatch(deps: EcrApiDeps, request: HttpRequest): Promise<unknown> {
  if (request.method !== 'POST') throw new AwsError('UnknownOperationException', 'Only POST is supported', 404);
  // The largest ECR request is UploadLayerPart: a 10 MiB part (the partSize we advertise) in base64.
  const limit = deps.maxBodyBytes ?? 16 * 1024 * 1024;
  const read = await readBody(request.body, limit);
  if (!read.ok) throw new AwsError('ValidationException', `Request body exceeds ${limit} bytes`, 413);
  const now = deps.clock?.now() ?? new Date();
  const { principal, region } = await deps.authenticate(request, read.bytes, now);
  const observed = request.observed;
  if (observed) observed.principal = principal.arn;

  const target = request.headers['x-amz-target'] ?? '';
  const action = target.startsWith(TARGET_PREFIX) ? ACTIONS.get(target.slice(TARGET_PREFIX.length)) : undefined;
  if (!action) throw new AwsError('UnknownOperationException', `Unknown operation ${target.slice(0, 100)}`);
  const input = parseInput(action, read.bytes);

  const caller: CallerContext = {
    principal,
    region,
    host: request.headers['host'] ?? 'localhost',
    now,
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
  };
  const context = actionContext(deps, caller, action.name);
  const resource = action.resource?.(input);
  const registryKey = context.registryKey(resource?.registryId ?? (input as { registryId?: string }).registryId);
  const iamAction = action.iamAction ?? `ecr:${action.name}`;
  if (observed) {
    observed.action = action.name;
    observed.registry = registryKey;
    if (resource) observed.repository = resource.repositoryName;
  }
  const [verdict = NO_VERDICT] = await deps.authorize([
    {
      principal,
      action: iamAction,
      registryKey,
      ...(resource ? { repositoryName: resource.repositoryName } : {}),
      ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}),
    },
  ]);
  const arn = resource ? context.repositoryArn(registryKey, resource.repositoryName) : '*';
  deps.logger?.debug({ principal: principal.arn, action: iamAction, resource: arn, verdict }, 'access decision');
  if (verdict.decision !== 'Allow') {
    if (observed) observed.denied = `${iamAction} on ${arn}: ${verdict.decision}`;
    throw accessDenied(principal.arn, iamAction, arn, verdict);
  }
  try {
    return await action.handle(input, context);
  } catch (error) {
    throw toAwsError(error, action.errors, accountOf(registryKey)) ?? error;
  }
}

function parseInput(action: EcrAction, body: Buffer): unknown {
  let json: unknown;
  try {
    json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  const parsed = action.input.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new AwsError('InvalidParameterException', validationMessage(parsed.error.issues[0] as z.core.$ZodIssue));
}

function actionContext(deps: EcrApiDeps, caller: CallerContext, operation: string): ActionContext {
  const registryKey = (registryId?: string) => formatRegistryKey({ account: registryId ?? caller.principal.accountId, region: caller.region });
  return {
    ...caller,
    registry: deps.registry,
    services: deps.services,
    pageToken: pageTokens(deps.pageTokenKey, operation),
    registryKey,
    decideEach: (action, key, repositories) =>
      deps.authorize(
        repositories.map((repository) => ({
          principal: caller.principal,
          action,
          registryKey: key,
          ...(typeof repository === 'string'
            ? { repositoryName: repository }
            : { repositoryName: repository.name, repositoryPolicy: { text: repository.settings.policyText } }),
          ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}),
        })),
      ),
    repo: (repositoryName, registryId) => ({ registry: registryKey(registryId), name: repositoryName }),
    registryHost: (key) => registryHost(key, caller.host, deps.defaultRegistry, deps.registryDomain),
    repositoryUri: (key, name) => `${registryHost(key, caller.host, deps.defaultRegistry, deps.registryDomain)}/${name}`,
    repositoryArn,
  };
}

function ok(requestId: string, output: unknown): HttpResponse {
  const body = Buffer.from(JSON.stringify(output ?? {}));
  return { status: 200, headers: { 'Content-Type': CONTENT_TYPE, 'Content-Length': body.length, 'x-amzn-RequestId': requestId }, body };
}

function failure(requestId: string, error: AwsError): HttpResponse {
  const body = Buffer.from(JSON.stringify({ __type: error.awsName, message: error.message }));
  return {
    status: error.status,
    headers: {
      'Content-Type': CONTENT_TYPE,
      'Content-Length': body.length,
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': error.awsName,
    },
    body,
  };
}
