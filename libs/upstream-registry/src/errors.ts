/**
 * What can go wrong talking to an upstream registry. The cache-syncer maps these to its own answers
 * (a 404 stays a miss, an unavailable upstream lets it serve the cached copy, a refused or mismatching
 * upstream is a clean error that caches nothing). Every error names the upstream; the underlying
 * socket or HTTP detail is kept only as `cause`, for logs.
 */
export class UpstreamError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The upstream answered 404: no such repository, tag, manifest or blob. */
export class UpstreamNotFoundError extends UpstreamError {}

/** The upstream (or its token service) rejected our credentials, or anonymous access, after one retry. */
export class UpstreamUnauthorizedError extends UpstreamError {}

/** A 5xx or 429, a timeout, a refused or reset connection: transient, the cached copy may be served. */
export class UpstreamUnavailableError extends UpstreamError {}

/**
 * The SSRF guard refused to connect: plain http, a forbidden address after DNS resolution, a redirect or
 * token realm on another host. Nothing was sent to the refused destination.
 */
export class UpstreamRefusedError extends UpstreamError {}

/** The bytes did not hash to the digest they were asked for (or that the upstream claimed). */
export class UpstreamDigestMismatchError extends UpstreamError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`upstream content hashed to ${actual}, expected ${expected}`);
  }
}

/** A manifest larger than maxManifestBytes (announced or streamed). */
export class UpstreamTooLargeError extends UpstreamError {}

/** The upstream answered something the protocol does not allow (an unexpected status, a bad digest header). */
export class UpstreamProtocolError extends UpstreamError {}
