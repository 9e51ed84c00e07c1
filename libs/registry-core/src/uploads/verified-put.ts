import { createDigester, parseDigest, type Digest } from '@cargohold/oci';
import { DigestMismatchError, type BlobStore } from '@cargohold/storage-ports';
import { metered, type BodyLimits } from './metered-body';

/**
 * A blob in one body (a monolithic push, a manifest): metered and hashed while it streams into the
 * store, compared before the store publishes it (invariant 2). A blob already stored is not written
 * again, but its body is still read and verified, so the client learns of a bad body either way. The
 * exception is a stored blob whose size is not the body's declared one: content-addressed bytes cannot
 * change size, so those are corrupt, and once the body verified they are quarantined and replaced (never
 * before: a body claiming someone else's digest must not be able to unpublish a good blob).
 */
export async function putVerified(blobs: BlobStore, digest: Digest, body: AsyncIterable<Uint8Array>, limits: BodyLimits): Promise<{ size: number }> {
  const digester = createDigester(parseDigest(digest).algorithm);
  const chunks = metered(body, 0, limits, (chunk) => digester.update(chunk), 'blob');
  const verify = () => {
    const computed = digester.digest();
    if (computed !== digest) throw new DigestMismatchError(digest, computed);
  };
  const stored = await blobs.stat(digest);
  if (stored.found && (limits.expectedSize === undefined || limits.expectedSize === stored.size)) {
    for await (const _chunk of chunks) {
      // drained only to verify: the stored blob already holds these bytes
    }
    verify();
    return { size: digester.bytes };
  }
  if (!stored.found) return blobs.put(digest, chunks, verify);
  return blobs.put(digest, chunks, async () => {
    verify();
    await blobs.quarantine(digest);
  });
}
