import type { VerifiedTokenClaims } from '@cargohold/auth';

/**
 * Tokens this process has verified, by the exact `Authorization` header that carried them. A client sends
 * the same header on every request of a pull, so decoding the header, checking the MAC and parsing the
 * payload are paid once per token rather than once per request. Only verified tokens are kept, and a kept
 * one is still held on every use to what verifyToken checks after the MAC: its expiry and its registry
 * (when either fails, the caller verifies in full, which gives the reason). Authorization is untouched:
 * the policies are evaluated on every request. Bounded: emptied when full.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedTokenClaims>();

  constructor(private readonly maxEntries = 1024) {}

  /** The claims of a header verified before, if they still hold at `now` for `registry`. */
  get(header: string, now: Date, registry: string): VerifiedTokenClaims | undefined {
    const claims = this.entries.get(header);
    if (!claims) return undefined;
    if (now.getTime() >= claims.expiresAt.getTime() || (claims.registry !== undefined && claims.registry !== registry)) return undefined;
    return claims;
  }

  /** Keeps the claims of a header that verifyToken has just accepted. */
  remember(header: string, claims: VerifiedTokenClaims): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(header, claims);
  }
}
