import type { UpstreamCredentials } from '../upstream-client';
import type { PushedImage, PushedIndex, TestImage } from './test-images';

export type UpstreamAuthMode = 'none' | 'basic' | 'token';

export interface UpstreamRegistryOptions {
  readonly auth: UpstreamAuthMode;
  /** Accepted credentials (basic: htpasswd; token: the token server). Default one user `upstream` / `upstream-secret`. */
  readonly users?: readonly UpstreamCredentials[];
  /** token mode: the token server also issues pull-only tokens to anonymous callers. Default false. */
  readonly anonymousPull?: boolean;
}

/** A running Debian `docker-registry` on 127.0.0.1 with its own temporary storage. */
export interface UpstreamRegistryHandle {
  /** `127.0.0.1:<port>`: an UpstreamTarget's `registry` (insecure: true). */
  readonly registry: string;
  /** The credentials the harness itself pushes with (the first user). */
  readonly credentials?: UpstreamCredentials;
  /** Pushes blobs, config and manifest, and tags it. */
  pushImage(repository: string, tag: string, image: TestImage): Promise<PushedImage>;
  /** Pushes each child image by digest, then an OCI index over them under `tag`. */
  pushIndex(repository: string, tag: string, images: readonly TestImage[]): Promise<PushedIndex>;
  /** Points `tag` at an already pushed manifest (its exact bytes). */
  tag(repository: string, tag: string, manifest: { readonly mediaType: string; readonly bytes: Buffer }): Promise<void>;
  /** Stops the registry (and token server) and deletes its storage. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's docker-registry (distribution 2.8.2) on a free loopback port. In CI a missing binary
 * fails; elsewhere callers skip loudly (see `upstreamRegistryAvailable`).
 */
export async function startUpstreamRegistry(_options: UpstreamRegistryOptions): Promise<UpstreamRegistryHandle> {
  throw new Error('not implemented yet');
}
