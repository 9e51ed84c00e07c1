import type { Principal } from '@cargohold/auth';
import type { RepoRef } from '@cargohold/storage-ports';

/** The query parameter that carries an upload's capability in the Locations an upload gateway serves. */
export const UPLOAD_CAPABILITY_PARAM = 'X-Cargohold-Upload';

/** Signs the capability for one upload session of one repository, for the caller who is using it. */
export type UploadCapabilityIssuer = (principal: Principal, repo: RepoRef, uploadId: string) => string;

/**
 * Where a client sends an upload's next request: the `Location` of every 202 and of a status 204.
 *
 * On one host (the embedded server, a Lambda without a gateway) it is a path on the same host. With an
 * upload gateway, it is the gateway's URL plus a capability: clients that keep credentials per host
 * (docker) send nothing else there, and the capability is all the gateway accepts. The gateway answers
 * with relative Locations carrying a renewed capability, so a session that keeps moving never outlives it.
 */
export interface UploadLocations {
  /** Whether the bytes go to the upload gateway (then a request cap here says nothing about chunk sizes). */
  readonly viaGateway: boolean;
  locationOf(repo: RepoRef, uploadId: string, caller: Principal): string;
}

const sessionPath = (repo: RepoRef, uploadId: string) => `/v2/${repo.name}/blobs/uploads/${uploadId}`;

export const SAME_HOST_UPLOADS: UploadLocations = {
  viaGateway: false,
  locationOf: sessionPath,
};

/**
 * Locations on the upload gateway at `origin` (`https://uploads.example.com`, no path), or relative ones
 * when `origin` is empty (what the gateway itself answers).
 */
export function gatewayUploads(origin: string, issue: UploadCapabilityIssuer): UploadLocations {
  const base = origin.replace(/\/+$/, '');
  return {
    viaGateway: true,
    locationOf: (repo, uploadId, caller) =>
      `${base}${sessionPath(repo, uploadId)}?${UPLOAD_CAPABILITY_PARAM}=${encodeURIComponent(issue(caller, repo, uploadId))}`,
  };
}
