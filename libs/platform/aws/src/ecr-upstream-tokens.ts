import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { UpstreamError, type UpstreamFailure } from '@cargohold/storage-ports';
import { guardedAgents, UpstreamRefusedError } from '@cargohold/upstream-registry';

/** AWS access keys as a pull-through secret holds them (pull-through's AwsAccessKeys, structurally). */
interface AccessKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]`: real ECR, whose API is at the SDK's own endpoint for the region. */
const AWS_ECR_HOST = /^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
/** `<account>.dkr.ecr.<region>.<domain>`: another cargohold's host form, whose API answers at the same host. */
const REGISTRY_HOST = /^[0-9]{12}\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-[0-9])\./;
const DEFAULT_TIMEOUT_MS = 30_000;
const TWELVE_HOURS_MS = 12 * 60 * 60 * 1000;

export interface EcrUpstreamTokensOptions {
  /** The SigV4 region for an upstream whose host names none (ECR takes the region from the signature). Default us-east-1. */
  readonly defaultRegion?: string;
  readonly timeoutMs?: number;
}

/**
 * GetAuthorizationToken on an ECR-compatible upstream with @aws-sdk/client-ecr (pull-through's
 * EcrTokenSource, structurally): real ECR at its regional API endpoint, derived from the registry host;
 * another cargohold at the registry's own host, whose HTTP API serves the ECR API too. Signed with the
 * secret's keys, or the default credential chain (the function's role) without them. The SDK's sockets
 * go through the same SSRF guard as the registry client. Failures become the port's UpstreamError.
 */
export class EcrUpstreamTokens {
  constructor(private readonly options: EcrUpstreamTokensOptions = {}) {}

  async authorize(upstream: { readonly registry: string; readonly insecure: boolean }, keys: AccessKeys | undefined) {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const awsRegion = AWS_ECR_HOST.exec(upstream.registry)?.[1];
    const endpoint = awsRegion === undefined ? `${upstream.insecure ? 'http' : 'https'}://${upstream.registry}` : undefined;
    const agents = guardedAgents({ insecure: upstream.insecure, timeoutMs });
    const client = new ECRClient({
      region: awsRegion ?? REGISTRY_HOST.exec(upstream.registry)?.[1] ?? this.options.defaultRegion ?? 'us-east-1',
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(keys ? { credentials: keys } : {}),
      requestHandler: { httpAgent: agents.http, httpsAgent: agents.https, connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
      maxAttempts: 2,
    });
    try {
      if (endpoint !== undefined) agents.assertAllowed(new URL(endpoint));
      const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({}));
      const data = authorizationData?.[0];
      const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw new UpstreamError('unavailable', `${upstream.registry}: GetAuthorizationToken answered no token`);
      const expiresAt = data?.expiresAt ?? new Date(Date.now() + TWELVE_HOURS_MS);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt };
    } catch (error) {
      throw translate(upstream.registry, error);
    } finally {
      client.destroy();
      agents.destroy();
    }
  }
}

/** Refused keys are `unauthorized`, the guard's refusal `refused`; anything else leaves the upstream unavailable. */
function translate(registry: string, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const kind: UpstreamFailure =
    error instanceof UpstreamRefusedError || hasCause(error, UpstreamRefusedError) ? 'refused' : isAuthFailure(error) ? 'unauthorized' : 'unavailable';
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(kind, `${registry}: GetAuthorizationToken failed: ${message}`, { cause: error });
}

function isAuthFailure(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const name = (error as { name?: string } | null)?.name ?? '';
  return (
    status === 401 || status === 403 || /Unrecognized|Signature|AccessDenied|Expired|Unauthorized|InvalidClientTokenId|CredentialsProviderError/.test(name)
  );
}

function hasCause(error: unknown, type: new (...args: never[]) => Error): boolean {
  for (let cause = (error as { cause?: unknown } | null)?.cause; cause !== undefined && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof type) return true;
  }
  return false;
}
