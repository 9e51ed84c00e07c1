import type { IncomingMessage } from 'node:http';
import { isAllowedHost } from './allowed-hosts';
import { AuthSession } from './auth-session';
import { discard } from './body';
import { parseChallenge } from './challenge';
import { upstreamBaseUrl } from './registry-address';
import { UpstreamProtocolError, UpstreamRefusedError } from './errors';
import type { Transport } from './transport';
import type { UpstreamTarget } from './upstream-client';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface UpstreamRequest {
  readonly method: 'GET' | 'HEAD';
  /** Path under the registry, e.g. `/v2/library/alpine/manifests/3`. */
  readonly path: string;
  /** Token scope: `repository:<name>:pull`, or '' for the /v2/ ping. */
  readonly scope: string;
  readonly accept?: string;
}

/**
 * Requests to one upstream registry: authentication (answer a 401 once, then authenticate up front) and
 * redirects, each hop checked against the SSRF rules. A redirect may only lead to the registry's own
 * host or to an allowed host, over https unless the upstream is insecure; credentials never follow it
 * to another host (storage URLs are presigned, and must not learn the registry's credentials).
 */
export class UpstreamSession {
  private readonly base: URL;
  private readonly auth: AuthSession;

  constructor(
    private readonly transport: Transport,
    target: UpstreamTarget,
    private readonly allowedHosts: readonly string[],
    private readonly userAgent: string,
  ) {
    this.base = upstreamBaseUrl(target.registry, target.insecure);
    this.auth = new AuthSession({
      transport,
      registryHost: this.base.host,
      allowedHosts,
      userAgent,
      ...(target.credentials ? { credentials: target.credentials } : {}),
    });
  }

  get host(): string {
    return this.base.host;
  }

  get timeoutMs(): number {
    return this.transport.timeoutMs;
  }

  /** The final response (2xx or an error status) with its body unread; the caller consumes it. */
  async send(request: UpstreamRequest): Promise<{ response: IncomingMessage; url: URL }> {
    const authorization = await this.auth.authorizationFor(request.scope);
    const first = await this.follow(request, authorization);
    if (first.response.statusCode !== 401) return first;
    const challenge = parseChallenge(first.response.headers['www-authenticate']);
    discard(first.response);
    return this.follow(request, await this.auth.answer(challenge, request.scope));
  }

  private async follow(request: UpstreamRequest, authorization: string | undefined): Promise<{ response: IncomingMessage; url: URL }> {
    let url = new URL(request.path, this.base);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent };
      if (request.accept !== undefined) headers['accept'] = request.accept;
      if (authorization !== undefined && url.host === this.base.host) headers['authorization'] = authorization;
      const response = await this.transport.exchange(url, request.method, headers);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) return { response, url };
      discard(response);
      if (hop >= MAX_REDIRECTS) throw new UpstreamProtocolError(`${this.base.host} redirected more than ${MAX_REDIRECTS} times`);
      url = this.redirectTarget(url, location);
    }
  }

  private redirectTarget(from: URL, location: string): URL {
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw new UpstreamProtocolError(`${from.host} redirected to an invalid URL`);
    }
    if (!isAllowedHost(next, this.base.hostname, this.allowedHosts)) {
      throw new UpstreamRefusedError(`refusing redirect from ${from.host} to ${next.host}: not an allowed host`);
    }
    // The transport refuses plain http (unless insecure) and forbidden addresses when it connects.
    this.transport.assertAllowed(next);
    return next;
  }
}
