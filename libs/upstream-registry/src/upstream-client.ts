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
   * loopback or private addresses are allowed (tests run their upstreams this way).
   */
  readonly insecure: boolean;
  readonly credentials?: UpstreamCredentials;
}

export interface UpstreamClientOptions {
  /** DNS: every address a name resolves to. Stubbable; default `dns.promises.lookup(host, { all: true })`. */
  readonly resolve?: (host: string) => Promise<string[]>;
  /**
   * Hosts (`host` or `host:port`) besides the registry's own that redirects (blob GETs commonly 307 to
   * storage) and token realms may point at, e.g. `auth.docker.io`, `production.cloudflare.docker.com`.
   */
  readonly allowRedirectHosts?: readonly string[];
  /** Default 4 MiB. */
  readonly maxManifestBytes?: number;
  /** Idle time on a connection (connect, headers, between body chunks) before it is abandoned. Default 30 s. */
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
  /** The bytes as they arrive; errors with UpstreamDigestMismatchError at the end if they do not hash to the digest. */
  readonly body: Readable;
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
  /** ValidatePullThroughCacheRule: can we reach and authenticate to the upstream (GET /v2/)? */
  check(): Promise<{ reachable: boolean; authenticated: boolean; failure?: string }>;
}
