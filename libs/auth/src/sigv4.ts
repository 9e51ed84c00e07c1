import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Principal } from './authorizer';
import { formatAmzDate, parseAmzDate, parseCredentialScope, parseSigV4Authorization } from './sigv4-authorization';
import type { CredentialScope, SigV4Authorization } from './sigv4-authorization';
import { scopeProblems, sigV4Errors } from './sigv4-errors';
import type { SigV4Error } from './sigv4-errors';

/** An incoming request, as the HTTP edge received it. */
export interface SigV4Request {
  readonly method: string;
  /** The path exactly as on the wire (still percent-encoded), without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names; repeated headers joined with `,` as Node does. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The bytes received: they are hashed here, whatever `x-amz-content-sha256` claims. */
  readonly body: Uint8Array;
}

export interface SigningCredential {
  readonly secretAccessKey: string;
  readonly principal: Principal;
  /** Set for temporary credentials: the request must carry (and sign) the same `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/** Resolves an access key id to its secret; undefined for an unknown key. May hit a store, hence async. */
export type CredentialLookup = (accessKeyId: string) => Promise<SigningCredential | undefined>;

export interface SigV4Options {
  readonly now: Date;
  /** The signing name the credential scope must name, e.g. `ecr`. */
  readonly service: string;
  /** How far the signing time may be from `now`, either way. Default 5 minutes, as AWS. */
  readonly maxSkewMs?: number;
}

export type SigV4Result =
  | {
      readonly ok: true;
      readonly principal: Principal;
      readonly accessKeyId: string;
      /** From the credential scope: the region the caller addressed. */
      readonly region: string;
      readonly service: string;
    }
  | { readonly ok: false; readonly error: SigV4Error };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;
/** Headers whose value must be covered by the signature whenever the request carries them. */
const SIGNED_WHEN_PRESENT = ['x-amz-target', 'x-amz-security-token'] as const;

/**
 * Verifies the AWS Signature Version 4 of a request signed in its `Authorization` header (presigned query
 * strings are not accepted), checking in the order AWS JSON services do so that a client sees the same
 * first error: header shape, date, clock skew, required signed headers, algorithm, credential scope, access
 * key, session token, then the signature itself, recomputed with `@smithy/signature-v4` over exactly the
 * headers the client signed and the body actually received.
 *
 * Never throws for a bad request; a failing credential lookup rejects.
 */
export async function verifySigV4(request: SigV4Request, credentials: CredentialLookup, options: SigV4Options): Promise<SigV4Result> {
  const header = request.headers['authorization'];
  const parsed = parseSigV4Authorization(header);
  if (parsed.kind === 'not-sigv4') return fail(sigV4Errors.missingToken());
  const raw = header?.trim() ?? '';
  if (parsed.kind === 'not-key-value') return fail(sigV4Errors.notKeyValue(parsed.part, raw));

  const amzDate = request.headers['x-amz-date'];
  const hasDate = amzDate !== undefined || request.headers['date'] !== undefined;
  if (parsed.kind === 'incomplete' || !hasDate) {
    const missing = parsed.kind === 'incomplete' ? parsed.missing : [];
    return fail(sigV4Errors.missingComponents([...missing, ...(hasDate ? [] : (['Date'] as const))], raw));
  }
  const { authorization } = parsed;

  // SDKs sign with X-Amz-Date; a request dated only by `Date` cannot be checked the way it was signed.
  if (amzDate === undefined) return fail(sigV4Errors.mustBeSigned('x-amz-date'));
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) return fail(sigV4Errors.badDate(amzDate));

  const skew = checkSkew(signedAt, options.now, options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  if (skew) return fail(skew);

  const unsigned = checkSignedHeaders(authorization, request.headers);
  if (unsigned) return fail(unsigned);

  if (authorization.algorithm !== ALGORITHM) return fail(sigV4Errors.unsupportedAlgorithm(authorization.algorithm));
  const scope = parseCredentialScope(authorization.credential);
  if (!scope) return fail(sigV4Errors.badCredential(authorization.credential));
  const problems = checkScope(scope, options.service, amzDate);
  if (problems.length > 0) return fail(sigV4Errors.badScope(problems));

  const credential = await credentials(scope.accessKeyId);
  if (!credential) return fail(sigV4Errors.unrecognizedClient());
  if (request.headers['x-amz-security-token'] !== credential.sessionToken) return fail(sigV4Errors.unrecognizedClient());

  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== bodyHash) return fail(sigV4Errors.signatureMismatch());

  const expected = await recomputeSignature(request, authorization, scope, signedAt, credential);
  if (!sameHex(expected, authorization.signature)) return fail(sigV4Errors.signatureMismatch());

  return { ok: true, principal: credential.principal, accessKeyId: scope.accessKeyId, region: scope.region, service: scope.service };
}

function fail(error: SigV4Error): SigV4Result {
  return { ok: false, error };
}

function checkSkew(signedAt: Date, now: Date, maxSkewMs: number): SigV4Error | undefined {
  const skew = `${maxSkewMs / 60_000} min`;
  const earliest = new Date(now.getTime() - maxSkewMs);
  const latest = new Date(now.getTime() + maxSkewMs);
  if (signedAt < earliest) {
    return sigV4Errors.expired(formatAmzDate(signedAt), formatAmzDate(earliest), formatAmzDate(now), skew);
  }
  if (signedAt > latest) {
    return sigV4Errors.notYetCurrent(formatAmzDate(signedAt), formatAmzDate(latest), formatAmzDate(now), skew);
  }
  return undefined;
}

/** The signature must cover the host, the date, the operation and the session token, and nothing absent. */
function checkSignedHeaders(authorization: SigV4Authorization, headers: SigV4Request['headers']): SigV4Error | undefined {
  const signed = new Set(authorization.signedHeaders);
  for (const required of ['host', 'x-amz-date', ...SIGNED_WHEN_PRESENT.filter((name) => headers[name] !== undefined)]) {
    if (!signed.has(required)) return sigV4Errors.mustBeSigned(required);
  }
  const absent = authorization.signedHeaders.find((name) => headers[name] === undefined);
  return absent === undefined ? undefined : sigV4Errors.namedButAbsent(absent);
}

function checkScope(scope: CredentialScope, service: string, amzDate: string): string[] {
  const problems: string[] = [];
  // Any region name is served (one deployment answers for many); only the shape is checked.
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(scope.region)) problems.push(scopeProblems.region(scope.region));
  if (scope.service !== service) problems.push(scopeProblems.service(service));
  if (scope.terminator !== 'aws4_request') problems.push(scopeProblems.terminator(scope.terminator));
  const day = amzDate.slice(0, 8);
  if (scope.date !== day) problems.push(scopeProblems.date(scope.date, day, amzDate));
  return problems;
}

/**
 * Signs a copy of the request holding only the headers the client signed, at the client's signing time and
 * scope: the signer then produces the canonical request the client must have produced. `signableHeaders`
 * keeps headers the signer would otherwise skip (e.g. `user-agent`) when the client chose to sign them.
 */
async function recomputeSignature(
  request: SigV4Request,
  authorization: SigV4Authorization,
  scope: CredentialScope,
  signedAt: Date,
  credential: SigningCredential,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of authorization.signedHeaders) headers[name] = request.headers[name] ?? '';
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    credentials: {
      accessKeyId: scope.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }),
    },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method.toUpperCase(),
      protocol: 'https:',
      hostname: request.headers['host'] ?? '',
      path: request.path,
      query: queryRecord(request.query),
      headers,
      body: request.body,
    }),
    { signingDate: signedAt, signingRegion: scope.region, signingService: scope.service, signableHeaders: new Set(authorization.signedHeaders) },
  );
  const match = /Signature=([0-9a-f]+)$/.exec(signed.headers['authorization'] ?? '');
  return match?.[1] ?? '';
}

function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    record[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return record;
}

/** Constant-time comparison of two hex signatures (the length of a SHA-256 hex digest is no secret). */
function sameHex(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return expected.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
