import { isAllowedHost } from './allowed-hosts';
import type { Challenge } from './challenge';
import { discard, readCapped } from './body';
import { UpstreamProtocolError, UpstreamRefusedError, UpstreamUnauthorizedError } from './errors';
import type { Transport } from './transport';
import type { UpstreamCredentials } from './upstream-client';
import { statusError } from './status';

const TOKEN_RESPONSE_LIMIT = 1024 * 1024;
/** The distribution token spec's default lifetime when a token service names none. */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before expiry, so a token never expires between our check and the upstream's. */
const EXPIRY_MARGIN_MS = 5_000;

interface CachedToken {
  readonly authorization: string;
  readonly expiresAt: number;
}

export interface AuthSessionOptions {
  readonly transport: Transport;
  readonly registryHost: string;
  readonly credentials?: UpstreamCredentials;
  /** Hosts (`host` or `host:port`) a realm may name besides the registry's own host. */
  readonly allowedHosts: readonly string[];
  readonly userAgent: string;
  readonly now?: () => number;
}

/**
 * The credentials side of one upstream: answers Basic and Bearer challenges, and remembers what worked
 * so later requests authenticate up front. Bearer tokens are fetched from the challenge's realm
 * (anonymously, or with Basic credentials), cached per scope until `expires_in`, and shared by
 * concurrent requests.
 */
export class AuthSession {
  private scheme: Challenge['scheme'] | undefined;
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly now: () => number;

  constructor(private readonly options: AuthSessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The Authorization header to send up front for `scope` (`repository:<name>:pull`, or '' for /v2/), if known. */
  async authorizationFor(scope: string): Promise<string | undefined> {
    if (this.scheme === 'basic') return this.basic();
    const cached = this.tokens.get(scope);
    if (cached === undefined) return undefined;
    const token = await cached.catch(() => undefined);
    return token !== undefined && token.expiresAt > this.now() ? token.authorization : undefined;
  }

  /** Answers a 401's challenge: the Authorization header to retry with. Throws Unauthorized when we cannot. */
  async answer(challenge: Challenge | undefined, scope: string): Promise<string> {
    if (challenge?.scheme === 'basic') {
      const basic = this.basic();
      if (basic === undefined) throw new UpstreamUnauthorizedError(`${this.options.registryHost} requires credentials`);
      this.scheme = 'basic';
      return basic;
    }
    if (challenge?.scheme !== 'bearer') throw new UpstreamUnauthorizedError(`${this.options.registryHost} asked for authentication we cannot answer`);
    this.scheme = 'bearer';
    const pending = this.fetchToken(challenge, scope);
    this.tokens.set(scope, pending);
    pending.catch(() => this.tokens.delete(scope));
    return (await pending).authorization;
  }

  private basic(): string | undefined {
    const { credentials } = this.options;
    if (credentials === undefined) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }

  private realmUrl(challenge: Challenge, scope: string): URL {
    const { realm, service } = challenge.params;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new UpstreamProtocolError(`${this.options.registryHost} sent a Bearer challenge without a usable realm`);
    }
    const registryHostname = new URL(`http://${this.options.registryHost}`).hostname;
    if (!isAllowedHost(url, registryHostname, this.options.allowedHosts))
      throw new UpstreamRefusedError(`refusing token realm ${url.host}: not ${registryHostname} nor an allowed host`);
    if (service !== undefined) url.searchParams.set('service', service);
    // Ask for the scope we need; the challenge's own scope (if any) names the same resource.
    const wanted = scope || challenge.params['scope'];
    if (wanted) url.searchParams.set('scope', wanted);
    return url;
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<CachedToken> {
    const url = this.realmUrl(challenge, scope);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, accept: 'application/json' };
    const basic = this.basic();
    if (basic !== undefined) headers['authorization'] = basic;
    const issuedAt = this.now();
    const response = await this.options.transport.exchange(url, 'GET', headers);
    if (response.statusCode !== 200) {
      discard(response);
      throw statusError(response.statusCode ?? 0, `token service ${url.host}`);
    }
    const body = await readCapped(response, TOKEN_RESPONSE_LIMIT, url, this.options.transport.timeoutMs);
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      throw new UpstreamProtocolError(`token service ${url.host} did not answer JSON`);
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    if (typeof token !== 'string' || token === '') throw new UpstreamProtocolError(`token service ${url.host} issued no token`);
    const seconds = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_SECONDS;
    return { authorization: `Bearer ${token}`, expiresAt: issuedAt + seconds * 1000 - EXPIRY_MARGIN_MS };
  }
}
