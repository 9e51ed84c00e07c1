import type { Readable } from 'node:stream';

/**
 * The port to an upstream OCI registry: what the pull-through cache-syncer needs from the upstream
 * client (@cargohold/platform-node adapts @cargohold/upstream-registry to it, translating its errors to
 * UpstreamError).
 * Every method verifies what it returns: a manifest's bytes hash to `digest`; a blob's `body` errors at
 * its end when the bytes do not match (so a consumer that stores them refuses before publishing).
 */
export interface UpstreamSource {
  getManifest(repository: string, reference: string, accept: readonly string[]): Promise<{ digest: string; mediaType: string; bytes: Buffer }>;
  /** Undefined when the upstream does not have it. */
  headManifest(repository: string, reference: string, accept: readonly string[]): Promise<{ digest: string; mediaType: string; size: number } | undefined>;
  openBlob(repository: string, digest: string): Promise<{ size: number; body: Readable }>;
  check(): Promise<{ reachable: boolean; authenticated: boolean; failure?: string }>;
}

export interface UpstreamTarget {
  /** `host[:port]`. */
  readonly registry: string;
  /** Plain http, loopback and private addresses allowed: only for hosts the config lists. */
  readonly insecure: boolean;
  readonly credentials?: { readonly username: string; readonly password: string };
}

export type UpstreamConnector = (target: UpstreamTarget) => UpstreamSource;

export type UpstreamFailure = 'not-found' | 'unauthorized' | 'unavailable' | 'refused' | 'digest-mismatch' | 'too-large';

/** What an UpstreamSource throws, by kind; the adapter maps the client's errors to these. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

export const upstreamFailure = (error: unknown): UpstreamFailure | undefined => (error instanceof UpstreamError ? error.kind : undefined);
