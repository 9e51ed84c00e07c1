import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { assertLiteralHostAllowed, guardedLookup, type Resolve } from './address-guard';
import { UpstreamError, UpstreamRefusedError, UpstreamUnavailableError } from './errors';

export interface TransportPolicy {
  /** Plain http and loopback/private addresses allowed (the registry is in `insecureUpstreams`). */
  readonly insecure: boolean;
  readonly resolve: Resolve;
  readonly timeoutMs: number;
}

/**
 * One HTTP exchange under the SSRF guard, over node's own http/https: they take a `lookup` per
 * connection, which is where every resolved address is checked, and need no dependency. (undici could
 * do the same through its `connect.lookup`, but it is only a transitive dev dependency here.) Redirects
 * are never followed at this level. The response body is left unread; the caller reads or drains it.
 */
export class Transport {
  private readonly agents: { readonly http: http.Agent; readonly https: https.Agent };

  constructor(private readonly policy: TransportPolicy) {
    // Keep-alive sockets were checked when they connected; `lookup` runs again for each new connection.
    // Idle sockets close after the timeout, so a quiet upstream holds no connection open.
    const agentOptions = { keepAlive: true, timeout: policy.timeoutMs, lookup: guardedLookup(policy.resolve, policy.insecure) };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  /** Refuses, before any socket exists, a URL the policy forbids by its scheme or its literal address. */
  assertAllowed(url: URL): void {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.policy.insecure)) {
      throw new UpstreamRefusedError(`refusing ${url.protocol}//${url.host}: upstreams are reached over https unless listed as insecure`);
    }
    assertLiteralHostAllowed(url.hostname, this.policy.insecure);
  }

  async exchange(url: URL, method: 'GET' | 'HEAD', headers: OutgoingHttpHeaders): Promise<IncomingMessage> {
    this.assertAllowed(url);
    const { timeoutMs } = this.policy;
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, { method, headers, agent: secure ? this.agents.https : this.agents.http });
    return new Promise<IncomingMessage>((resolve, reject) => {
      // One clock from DNS to the response headers (a socket timeout would only start once connected).
      const unanswered = setTimeout(() => request.destroy(new UpstreamUnavailableError(`${url.host} did not answer within ${timeoutMs} ms`)), timeoutMs);
      request.once('error', (error) => {
        clearTimeout(unanswered);
        reject(asUpstreamError(url, error));
      });
      request.once('response', (response) => {
        clearTimeout(unanswered);
        // The idle timeout keeps guarding the body: a stalled stream fails instead of hanging the pull.
        response.setTimeout(timeoutMs, () => response.destroy(new UpstreamUnavailableError(`${url.host} stalled for ${timeoutMs} ms`)));
        resolve(response);
      });
      request.end();
    });
  }

  get timeoutMs(): number {
    return this.policy.timeoutMs;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** Socket and TLS failures are the upstream being unavailable; our own typed errors pass through. */
export function asUpstreamError(url: URL, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new UpstreamUnavailableError(`${url.host} is unavailable${code ? ` (${code})` : ''}`, { cause: error });
}
