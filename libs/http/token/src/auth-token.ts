import { AllowAllAuthorizer, issueToken, type Authorizer, type FillScope, type Principal, type TokenClaims } from '@cargohold/auth';
import { AccessService, DEFAULT_LIMITS, TokenAuthorizer, type Clock, type IdentityPolicySource } from '@cargohold/registry-core';
import type { RegistrySettingsStore, RepoRef, RepositoryStore } from '@cargohold/storage-ports';

/** ECR's token lifetime is 12 hours; layer download URLs live minutes. */
const DOWNLOAD_URL_TTL_MS = 10 * 60 * 1000;
/** A fill capability is followed at once (it is a blob GET's redirect): as short as a presigned S3 URL. */
export const FILL_CAPABILITY_TTL_MS = 5 * 60 * 1000;

export interface AuthTokenDeps {
  /** HMAC key (≥ 32 bytes): a file in the data dir when embedded, SSM/KMS on AWS. */
  readonly tokenKey: Uint8Array;
  readonly repositories: RepositoryStore;
  readonly registries: RegistrySettingsStore;
  readonly identityPolicies: IdentityPolicySource;
  readonly clock: Clock;
  /** `--allow-anonymous`: `/v2/` lets everything through. */
  readonly allowAnonymous?: boolean;
  /** How long an upload capability lives: the upload session's idle timeout (each gateway answer renews it). */
  readonly uploadCapabilityTtlMs?: number;
}

export interface AuthToken {
  /** GetAuthorizationToken: a signed token naming the principal, for one registry. */
  issue(principal: Principal, registryKey: string): { token: string; expiresAt: Date };
  /** A URL on the registry host that downloads one layer with a short-lived token in the query. */
  downloadUrl(host: string, repo: RepoRef, digest: string, principal: Principal): string;
  /** The capability an upload's Location carries to the upload gateway: that one upload, for that caller. */
  uploadCapability(principal: Principal, repo: RepoRef, uploadId: string): string;
  /** The capability a pull-through blob miss's redirect carries to the gateway: that one blob, through that rule, for that caller. */
  fillCapability(principal: Principal, repo: RepoRef, scope: Omit<FillScope, 'repository'>): string;
  /** The `/v2/` authorizer: token verification without a database hit, then IAM on every request. */
  readonly authorizer: Authorizer;
  /** IAM evaluation for the ECR API (identity, repository and registry policies). */
  readonly access: AccessService;
}

/** The auth-token service: issues ECR tokens and verifies them on `/v2/`. */
export function createAuthToken(deps: AuthTokenDeps): AuthToken {
  const { tokenKey, clock } = deps;
  const access = new AccessService(deps.repositories, deps.registries, deps.identityPolicies, clock);
  const sign = (principal: Principal, registry: string, ttlMs?: number, scope: Pick<TokenClaims, 'download' | 'upload' | 'fill'> = {}) =>
    issueToken({ accountId: principal.accountId, principalArn: principal.arn, registry, ...scope }, tokenKey, {
      now: clock.now(),
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    });
  return {
    access,
    authorizer: deps.allowAnonymous ? new AllowAllAuthorizer() : new TokenAuthorizer(tokenKey, access, clock),
    issue: (principal, registryKey) => sign(principal, registryKey),
    downloadUrl: (host, repo, digest, principal) => {
      const { token } = sign(principal, repo.registry, DOWNLOAD_URL_TTL_MS, { download: { repository: repo.name, digest } });
      return `http://${host}/v2/${repo.name}/blobs/${digest}?X-Cargohold-Token=${encodeURIComponent(token)}`;
    },
    uploadCapability: (principal, repo, uploadId) =>
      sign(principal, repo.registry, deps.uploadCapabilityTtlMs ?? DEFAULT_LIMITS.uploadIdleTimeoutMs, { upload: { repository: repo.name, uploadId } }).token,
    fillCapability: (principal, repo, scope) => sign(principal, repo.registry, FILL_CAPABILITY_TTL_MS, { fill: { repository: repo.name, ...scope } }).token,
  };
}
