import {
  basicCredentialsFromHeader,
  verifyToken,
  type AccessDecision,
  type AccessRecord,
  type AccessRequest,
  type Authorizer,
  type Principal,
  type VerifiedTokenClaims,
} from '@cargohold/auth';
import { resourceArn, type AccessCheck, type AccessService } from './access';
import { accessDeniedMessage } from './access-verdict';
import type { Clock } from './config';
import { VerifiedTokens } from './verified-tokens';

/** What a GetDownloadUrlForLayer URL may do: read its one blob. */
const DOWNLOAD_ACTIONS = new Set(['ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']);
/** What an upload capability may do: send, finish, query or cancel its one upload. */
const UPLOAD_ACTIONS = new Set(['ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']);
/** What a pull-through fill capability may do: read its one blob, importing it (and its repository) from the upstream. */
const FILL_ACTIONS = new Set(['ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository']);

type Authentication = { readonly ok: true; readonly claims: VerifiedTokenClaims } | { readonly ok: false; readonly message: string };

/**
 * `/v2/` authorization: an ECR token as the Basic password of user `AWS`, or an upload capability from an
 * upload's Location, verified statelessly, then the route's actions checked against current policies.
 */
export class TokenAuthorizer implements Authorizer {
  private readonly verifiedHeaders = new VerifiedTokens();

  constructor(
    private readonly tokenKey: Uint8Array,
    private readonly access: AccessService,
    private readonly clock: Clock,
  ) {}

  async authorize(request: AccessRequest): Promise<AccessDecision> {
    const caller = this.authenticate(request);
    if (!caller.ok) return { allowed: false, reason: 'unauthenticated', message: caller.message };
    const principal: Principal = { accountId: caller.claims.accountId, arn: caller.claims.principalArn };
    // Built field by field: object literals with conditional spreads take V8's slow path, on every request.
    const checks = request.access.map((record) => {
      const check: { -readonly [K in keyof AccessCheck]: AccessCheck[K] } = { principal, action: record.action, registryKey: request.registry };
      if (record.repository !== undefined) check.repositoryName = record.repository;
      if (request.sourceIp !== undefined) check.sourceIp = request.sourceIp;
      return check;
    });
    const verdicts = await this.access.decideEach(checks);
    const deniedAt = verdicts.findIndex((verdict) => verdict.decision !== 'Allow');
    const denied = request.access[deniedAt];
    const verdict = verdicts[deniedAt];
    if (!denied || !verdict || verdict.decision === 'Allow') {
      const { fill } = caller.claims;
      return fill ? { allowed: true, principal, fill } : { allowed: true, principal };
    }
    return {
      allowed: false,
      reason: 'denied',
      granted: verdicts.map((each) => each.decision === 'Allow'),
      message: accessDeniedMessage(principal.arn, denied.action, resourceArn(request.registry, denied.repository), verdict),
    };
  }

  /**
   * The caller: the Authorization header's token, the upload capability, or both (a client that sends its
   * credentials to the upload gateway too); both must then name the same principal. Each is held to what
   * it was issued for.
   */
  private authenticate(request: AccessRequest): Authentication {
    const header = request.authorization === undefined ? undefined : this.fromHeader(request);
    if (header && !header.ok) return header;
    const capability = request.capability === undefined ? undefined : this.fromCapability(request.capability, request);
    if (capability && !capability.ok) return capability;
    if (header?.ok && capability?.ok && header.claims.principalArn !== capability.claims.principalArn) {
      return { ok: false, message: 'This upload URL was issued to another caller.' };
    }
    const caller = capability ?? header;
    if (!caller) return { ok: false, message: 'authentication required: use aws ecr get-login-password' };
    const outOfScope = scopeViolation(caller.claims, request.access);
    return outOfScope === undefined ? caller : { ok: false, message: outOfScope };
  }

  private fromHeader(request: AccessRequest): Authentication {
    const header = request.authorization ?? '';
    const now = this.clock.now();
    const known = this.verifiedHeaders.get(header, now, request.registry);
    if (known) return { ok: true, claims: known };
    const credentials = basicCredentialsFromHeader(header);
    if (!credentials || credentials.username !== 'AWS') return { ok: false, message: 'authentication required: use aws ecr get-login-password' };
    const verified = verifyToken(credentials.password, this.tokenKey, { now, registry: request.registry });
    if (verified.ok) {
      this.verifiedHeaders.remember(header, verified.claims);
      return verified;
    }
    const message =
      verified.reason === 'expired' ? 'Your authorization token has expired. Reauthenticate and try again.' : 'Your authorization token is invalid.';
    return { ok: false, message };
  }

  /**
   * A capability is always bound to its registry and to an upload or a blob fill: anything else in its
   * place (a plain token, a download URL's token) is refused.
   */
  private fromCapability(capability: string, request: AccessRequest): Authentication {
    const verified = verifyToken(capability, this.tokenKey, { now: this.clock.now(), registry: request.registry });
    const forUpload = request.access.some((record) => record.uploadId !== undefined);
    if (!verified.ok) {
      const why = verified.reason === 'expired' ? 'has expired' : 'is invalid';
      return { ok: false, message: forUpload ? `This upload URL ${why}: start the upload again.` : `This blob URL ${why}: pull the blob again.` };
    }
    const scoped = forUpload ? verified.claims.upload !== undefined : verified.claims.fill !== undefined;
    if (!scoped || verified.claims.registry !== request.registry)
      return { ok: false, message: forUpload ? 'This is not an upload URL.' : 'This is not a blob URL.' };
    return verified;
  }
}

/** Why a download token or an upload capability does not cover these records; undefined when it does. */
function scopeViolation(claims: VerifiedTokenClaims, access: readonly AccessRecord[]): string | undefined {
  const { download, upload, fill } = claims;
  if (download) {
    const forTheBlob = (r: AccessRecord) => DOWNLOAD_ACTIONS.has(r.action) && r.repository === download.repository && r.digest === download.digest;
    if (access.length === 0 || !access.every(forTheBlob)) return 'This download URL is for another blob.';
  }
  if (upload) {
    const forTheUpload = (r: AccessRecord) => UPLOAD_ACTIONS.has(r.action) && r.repository === upload.repository && r.uploadId === upload.uploadId;
    if (access.length === 0 || !access.every(forTheUpload)) return 'This upload URL is for another upload.';
  }
  if (fill) {
    // The import checks name the repository only; every record that names a blob must name this one.
    const forTheBlob = (r: AccessRecord) =>
      FILL_ACTIONS.has(r.action) && r.repository === fill.repository && (r.digest === undefined || r.digest === fill.digest) && r.uploadId === undefined;
    if (access.length === 0 || !access.every(forTheBlob)) return 'This blob URL is for another blob.';
  }
  return undefined;
}
