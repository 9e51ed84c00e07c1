import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * ECR authorization tokens: what `GetAuthorizationToken` hands out and `/v2/` requests bring back as the
 * Basic-auth password of user `AWS`. They are verified statelessly, with no store lookup:
 *
 *   v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "v1.<base64url(JSON payload)>"))>
 *
 * The version prefix is inside the MAC, so a future format can never be confused with this one. The token
 * names the principal, not its permissions: every request is still authorized against current policies.
 */
export interface TokenClaims {
  readonly accountId: string;
  readonly principalArn: string;
  /** When set, the token is good only for that registry (e.g. `123456789012:us-east-1`). */
  readonly registry?: string;
  /**
   * When set, the token only downloads this one blob of this one repository (GetDownloadUrlForLayer's
   * URLs): it is no credential for anything else.
   */
  readonly download?: { readonly repository: string; readonly digest: string };
  /**
   * When set, the token is an upload capability: it only continues this one upload session of this one
   * repository (the Location an upload gateway is sent to), and is no credential for anything else.
   */
  readonly upload?: { readonly repository: string; readonly uploadId: string };
  /**
   * When set, the token is a pull-through fill capability: it only reads (filling it from the upstream
   * when missing) this one blob of this one repository, through the pull-through cache rule it names
   * (its prefix and upstream, so a rule changed since cannot be used), and is no credential for anything else.
   */
  readonly fill?: FillScope;
}

/** What a fill capability is bound to, besides its registry: a blob of a repository, through one rule. */
export interface FillScope {
  readonly repository: string;
  readonly digest: string;
  /** The rule's `ecrRepositoryPrefix`. */
  readonly rulePrefix: string;
  /** The rule's `upstreamRegistryUrl`. */
  readonly upstream: string;
}

export interface VerifiedTokenClaims extends TokenClaims {
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export type TokenVerification =
  { readonly ok: true; readonly claims: VerifiedTokenClaims } | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired' | 'wrong-registry' };

/** ECR's token lifetime. */
export const DEFAULT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
/** HMAC-SHA256 keys shorter than the hash add no strength; shorter ones are a configuration mistake. */
export const MIN_TOKEN_KEY_BYTES = 32;

const VERSION = 'v1';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const PayloadSchema = z.object({
  acct: z.string().min(1),
  arn: z.string().min(1),
  reg: z.string().min(1).optional(),
  dl: z
    .object({ repo: z.string().min(1), digest: z.string().min(1) })
    .strict()
    .optional(),
  up: z
    .object({ repo: z.string().min(1), id: z.string().min(1) })
    .strict()
    .optional(),
  fl: z
    .object({ repo: z.string().min(1), digest: z.string().min(1), rule: z.string().min(1), src: z.string().min(1) })
    .strict()
    .optional(),
  /** Milliseconds since the epoch, so that `expiresAt` round-trips exactly. */
  iat: z.number().int(),
  exp: z.number().int(),
});
type Payload = z.infer<typeof PayloadSchema>;

/** Throws RangeError for a key shorter than MIN_TOKEN_KEY_BYTES or a non-positive ttl. */
export function issueToken(claims: TokenClaims, key: Uint8Array, options: { readonly now: Date; readonly ttlMs?: number }): { token: string; expiresAt: Date } {
  assertKey(key);
  const ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (!(ttlMs > 0)) throw new RangeError(`token ttl must be positive, got ${ttlMs}`);
  const issuedAt = options.now.getTime();
  const payload: Payload = {
    acct: claims.accountId,
    arn: claims.principalArn,
    ...(claims.registry === undefined ? {} : { reg: claims.registry }),
    ...(claims.download === undefined ? {} : { dl: { repo: claims.download.repository, digest: claims.download.digest } }),
    ...(claims.upload === undefined ? {} : { up: { repo: claims.upload.repository, id: claims.upload.uploadId } }),
    ...(claims.fill === undefined
      ? {}
      : { fl: { repo: claims.fill.repository, digest: claims.fill.digest, rule: claims.fill.rulePrefix, src: claims.fill.upstream } }),
    iat: issuedAt,
    exp: issuedAt + ttlMs,
  };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return { token: `${signed}.${mac(key, signed).toString('base64url')}`, expiresAt: new Date(payload.exp) };
}

/**
 * Checks, in order: shape (`malformed`), MAC (`forged`), expiry at `now` (`expired`), and, when `registry` is
 * given and the token is bound to one, that it is that registry (`wrong-registry`). Throws only for a bad key.
 */
export function verifyToken(token: string, key: Uint8Array, options: { readonly now: Date; readonly registry?: string }): TokenVerification {
  assertKey(key);
  const parts = token.split('.');
  const [version, encodedPayload, encodedMac] = parts;
  if (parts.length !== 3 || version !== VERSION || !encodedPayload || !encodedMac) return { ok: false, reason: 'malformed' };
  if (!BASE64URL.test(encodedPayload) || !BASE64URL.test(encodedMac)) return { ok: false, reason: 'malformed' };

  const expected = mac(key, `${version}.${encodedPayload}`);
  const provided = Buffer.from(encodedMac, 'base64url');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) return { ok: false, reason: 'forged' };
  // 43 base64url characters carry 258 bits: the decoder ignores the 2 spare ones, so `…0` and `…1` would
  // both verify. A token has exactly one accepted spelling, the canonical one.
  if (provided.toString('base64url') !== encodedMac) return { ok: false, reason: 'malformed' };

  const payload = decodePayload(encodedPayload);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (options.now.getTime() >= payload.exp) return { ok: false, reason: 'expired' };
  if (options.registry !== undefined && payload.reg !== undefined && payload.reg !== options.registry) {
    return { ok: false, reason: 'wrong-registry' };
  }
  return {
    ok: true,
    claims: {
      accountId: payload.acct,
      principalArn: payload.arn,
      ...(payload.reg === undefined ? {} : { registry: payload.reg }),
      ...(payload.dl === undefined ? {} : { download: { repository: payload.dl.repo, digest: payload.dl.digest } }),
      ...(payload.up === undefined ? {} : { upload: { repository: payload.up.repo, uploadId: payload.up.id } }),
      ...(payload.fl === undefined
        ? {}
        : { fill: { repository: payload.fl.repo, digest: payload.fl.digest, rulePrefix: payload.fl.rule, upstream: payload.fl.src } }),
      issuedAt: new Date(payload.iat),
      expiresAt: new Date(payload.exp),
    },
  };
}

/**
 * The registry a token names, read WITHOUT verifying it: only to pick which registry a request addresses
 * when nothing else says (an upload gateway's host is the same for every registry). The token is then
 * verified against that registry as usual, so a forged value can only make the request fail.
 */
export function unverifiedTokenRegistry(token: string): string | undefined {
  const [version, encodedPayload] = token.split('.');
  if (version !== VERSION || !encodedPayload || !BASE64URL.test(encodedPayload)) return undefined;
  return decodePayload(encodedPayload)?.reg;
}

/** `authorizationToken` as ECR's GetAuthorizationToken returns it: base64 of `AWS:<token>`. */
export function encodeAuthorizationToken(token: string): string {
  return Buffer.from(`AWS:${token}`, 'utf8').toString('base64');
}

/**
 * Reads `Authorization: Basic <base64(user:password)>` (scheme in any case). Undefined when the header is
 * absent, another scheme, not base64, not UTF-8 or without the `:` separator; the password may contain `:`.
 */
export function basicCredentialsFromHeader(authorization: string | undefined): { username: string; password: string } | undefined {
  const match = /^\s*basic\s+([A-Za-z0-9+/_-]+={0,2})\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(match[1], 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function mac(key: Uint8Array, signed: string): Buffer {
  return createHmac('sha256', key).update(signed, 'utf8').digest();
}

function decodePayload(encoded: string): Payload | undefined {
  try {
    const parsed = PayloadSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function assertKey(key: Uint8Array): void {
  if (key.length < MIN_TOKEN_KEY_BYTES) {
    throw new RangeError(`token key must be at least ${MIN_TOKEN_KEY_BYTES} bytes, got ${key.length}`);
  }
}
