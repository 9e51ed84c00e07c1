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
  /**
   * The header found last: a header is a new string on every request, which a map lookup hashes whole
   * (an ECR token is ~1.5 KB), while an equality check with the same client's previous header is cheap.
   */
  private last: { readonly header: string; readonly claims: VerifiedTokenClaims } | undefined;

  constructor(private readonly maxEntries = 1024) {}

  /** The claims of a header verified before, if they still hold at `now` for `registry`. */
  get(header: string, now: Date, registry: string): VerifiedTokenClaims | undefined {
    let claims = this.last?.header === header ? this.last.claims : undefined;
    if (claims === undefined) {
      claims = this.entries.get(header);
      if (!claims) return undefined;
      this.last = { header, claims };
    }
    if (now.getTime() >= claims.expiresAt.getTime() || (claims.registry !== undefined && claims.registry !== registry)) return undefined;
    return claims;
  }

  /** Keeps the claims of a header that verifyToken has just accepted. */
  remember(header: string, claims: VerifiedTokenClaims): void {
    if (this.entries.size >= this.maxEntries) {
      this.entries.clear();
      this.last = undefined;
    }
    this.entries.set(header, claims);
  }
}
