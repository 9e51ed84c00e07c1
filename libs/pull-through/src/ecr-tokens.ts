import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '@cargohold/registry-core';
import type { AwsAccessKeys, UpstreamCredentials } from './credentials';
import { SingleFlight } from './single-flight';

/** An ECR-compatible upstream's GetAuthorizationToken answer, decoded: `AWS` and the token, until `expiresAt`. */
export interface EcrAuthorization extends UpstreamCredentials {
  readonly expiresAt: Date;
}

/**
 * GetAuthorizationToken on an ECR-compatible upstream (ECR, or another cargohold at the same host as its
 * `/v2/`), SigV4-signed with `keys`, or with the caller's own role when keys are undefined (ECR-to-ECR
 * on AWS). Reaches the upstream under the same SSRF guard as its registry API. Throws the storage
 * port's UpstreamError: `unauthorized` when the keys are refused, `unavailable` when it cannot be reached.
 */
export interface EcrTokenSource {
  authorize(upstream: { readonly registry: string; readonly insecure: boolean }, keys: AwsAccessKeys | undefined): Promise<EcrAuthorization>;
}

/** A token is used until this long before it expires (a pull started with it must not outlive it). */
const EARLY_RENEWAL_MS = 15 * 60 * 1000;

/**
 * Tokens by upstream and keys, kept until shortly before they expire: a pull costs no GetAuthorizationToken
 * call while one is valid, and concurrent pulls share one exchange. Keys are only held hashed.
 */
export class CachedEcrTokens implements EcrTokenSource {
  private readonly tokens = new Map<string, EcrAuthorization>();
  private readonly flights = new SingleFlight();

  constructor(
    private readonly source: EcrTokenSource,
    private readonly clock: Clock = systemClock,
  ) {}

  async authorize(upstream: { readonly registry: string; readonly insecure: boolean }, keys: AwsAccessKeys | undefined): Promise<EcrAuthorization> {
    const key = cacheKey(upstream.registry, keys);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt.getTime() - EARLY_RENEWAL_MS > this.clock.now().getTime()) return cached;
    return this.flights.run(key, async () => {
      const fresh = await this.source.authorize(upstream, keys);
      this.tokens.set(key, fresh);
      return fresh;
    });
  }
}

function cacheKey(registry: string, keys: AwsAccessKeys | undefined): string {
  if (keys === undefined) return `${registry} role`;
  const hash = createHash('sha256')
    .update(JSON.stringify([keys.accessKeyId, keys.secretAccessKey, keys.sessionToken ?? '']))
    .digest('hex');
  return `${registry} ${hash}`;
}
