import { UpstreamError, UpstreamNotFoundError, UpstreamProtocolError, UpstreamUnauthorizedError, UpstreamUnavailableError } from './errors';

/** The typed error for an unexpected HTTP status from `what` (e.g. `127.0.0.1:5001 manifest a/b:1`). */
export function statusError(status: number, what: string): UpstreamError {
  if (status === 404) return new UpstreamNotFoundError(`${what}: not found upstream`);
  if (status === 401 || status === 403) return new UpstreamUnauthorizedError(`${what}: upstream denied access (${status})`);
  if (status === 429 || status >= 500) return new UpstreamUnavailableError(`${what}: upstream unavailable (${status})`);
  return new UpstreamProtocolError(`${what}: unexpected upstream status ${status}`);
}
