import type { FillScope, Principal } from '@cargohold/auth';
import type { RepoRef } from '@cargohold/storage-ports';

/** The query parameter that carries a pull-through fill capability on the upload gateway's blob URLs. */
export const FILL_CAPABILITY_PARAM = 'X-Cargohold-Fill';

/** The rule a blob fill goes through: what its capability is bound to, besides the blob. */
export type FillRule = Omit<FillScope, 'repository' | 'digest'>;

/** Signs the capability for filling one blob of one repository through one rule, for the caller who pulls it. */
export type FillCapabilityIssuer = (principal: Principal, repo: RepoRef, scope: Omit<FillScope, 'repository'>) => string;

/**
 * Where a pull-through blob miss is sent when the server cannot carry a layer itself (the `/v2/` Lambda):
 * the upload gateway's blob URL plus a short-lived capability. The gateway streams the upstream's bytes to
 * the client while it stores them, so no layer passes through a Lambda.
 */
export interface BlobFills {
  locationOf(repo: RepoRef, digest: string, rule: FillRule, caller: Principal): string;
}

/** Blob fills on the upload gateway at `origin` (`https://uploads.example.com`, no path). */
export function gatewayFills(origin: string, issue: FillCapabilityIssuer): BlobFills {
  const base = origin.replace(/\/+$/, '');
  return {
    locationOf: (repo, digest, rule, caller) =>
      `${base}/v2/${repo.name}/blobs/${digest}?${FILL_CAPABILITY_PARAM}=${encodeURIComponent(issue(caller, repo, { digest, ...rule }))}`,
  };
}
