import { RegistryError } from '@cargohold/oci';
import { DigestMismatchError, SizeMismatchError, upstreamFailure } from '@cargohold/storage-ports';
import { UpstreamPullError } from './errors';

/** What went wrong upstream: the port's kind, or bytes our own verification refused. */
export function failureKind(error: unknown): string | undefined {
  return upstreamFailure(error) ?? (error instanceof DigestMismatchError || error instanceof SizeMismatchError ? 'digest-mismatch' : undefined);
}

/** Upstream failures become one clean OCI error; the core's own (a denied tag move, a bad manifest) pass through. */
export function asPullError(reference: string, error: unknown): unknown {
  const kind = failureKind(error);
  if (kind !== undefined) return new UpstreamPullError(reference, kind, (error as Error).message);
  if (error instanceof RegistryError) return error;
  return new UpstreamPullError(reference, 'failed', error instanceof Error ? error.message : String(error));
}
