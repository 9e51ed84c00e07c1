import type { Readable } from 'node:stream';

/** Credentials for an upstream (ECR: a Secrets Manager secret `ecr-pullthroughcache/…` with username + accessToken). */
export interface UpstreamCredentials {
  readonly username: string;
  readonly password: string;
}

export interface UpstreamTarget {
  /** `host[:port]`, as ECR's upstreamRegistryUrl: reached over https. */
  readonly registry: string;
  /**
   * True when the registry is listed in `pullThroughCache.insecureUpstreams`: reached over plain http, and
   * loopback or private addresses are allowed (tests run their upstreams this way). The allowance covers
   * its token realm and redirects too; which hosts those may name is still limited (see allowRedirectHosts).
   */
  readonly insecure: boolean;
  readonly credentials?: UpstreamCredentials;
}

export interface UpstreamClientOptions {
  /** DNS: every address a name resolves to. Stubbable; default `dns.promises.lookup(host, { all: true })`. */
  readonly resolve?: (host: string) => Promise<string[]>;
  /**
   * Hosts besides the registry's own that redirects (blob GETs commonly 307 to storage) and token realms
   * may point at: `host`, `host:port` or `*.suffix`, e.g. `auth.docker.io`, `production.cloudflare.docker.com`,
   * `*.blob.core.windows.net`. They pass the same address check as the registry.
   */
  readonly allowRedirectHosts?: readonly string[];
  /** Default 4 MiB. */
  readonly maxManifestBytes?: number;
  /**
   * Idle time on a connection (connect, headers, between blob chunks) before it is abandoned; also the
   * most a whole manifest or token body may take. Default 30 s.
   */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export interface UpstreamManifest {
  /** Verified: the digest asked for, or the one the upstream claimed, or the computed sha256. */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

export interface UpstreamBlob {
  readonly size: number;
  /**
   * The bytes as they arrive; errors with UpstreamDigestMismatchError at the end if they do not hash to
   * the digest (or with UpstreamUnavailableError if the upstream fails). Read it with `pipeline` or
   * `for await`: an error that happens before reading starts waits on the stream for its reader.
   * Destroying it closes the upstream.
   */
  readonly body: Readable;
}

export interface UpstreamCheck {
  readonly reachable: boolean;
  readonly authenticated: boolean;
  /** True when the SSRF guard refused the upstream (plain http, a forbidden address, a foreign realm): nothing was sent. */
  readonly refused?: boolean;
  /** Why not, for ValidatePullThroughCacheRule's `failure`. */
  readonly failure?: string;
}

/**
 * A read-only OCI distribution client for one upstream registry, with the Docker token flow and Basic
 * auth, digest verification of every byte and an SSRF guard. Failures are the typed errors of
 * `./errors` (UpstreamNotFoundError, UpstreamUnauthorizedError, UpstreamUnavailableError,
 * UpstreamRefusedError, UpstreamDigestMismatchError, UpstreamTooLargeError).
 */
export interface UpstreamClient {
  /** Throws UpstreamNotFoundError on a 404. */
  getManifest(repository: string, reference: string, accept?: readonly string[]): Promise<UpstreamManifest>;
  /** undefined on a 404. */
  headManifest(repository: string, reference: string, accept?: readonly string[]): Promise<{ digest: string; mediaType: string; size: number } | undefined>;
  /** Throws UpstreamNotFoundError on a 404; the body is verified as it streams. */
  openBlob(repository: string, digest: string): Promise<UpstreamBlob>;
  /** ValidatePullThroughCacheRule: can we reach and authenticate to the upstream (GET /v2/)? Never throws an UpstreamError. */
  check(): Promise<UpstreamCheck>;
}
