import { createDigester, parseDigest, type Digest } from '@cargohold/oci';
import { DigestMismatchError, type BlobStore } from '@cargohold/storage-ports';
import { metered, type BodyLimits } from './metered-body';

/**
 * A blob in one body (a monolithic push, a manifest): metered and hashed while it streams into the
 * store, compared before the store publishes it (invariant 2). A blob already stored is not written
 * again, but its body is still read and verified, so the client learns of a bad body either way.
 */
export async function putVerified(blobs: BlobStore, digest: Digest, body: AsyncIterable<Uint8Array>, limits: BodyLimits): Promise<{ size: number }> {
  const digester = createDigester(parseDigest(digest).algorithm);
  const chunks = metered(body, 0, limits, (chunk) => digester.update(chunk), 'blob');
  const verify = () => {
    const computed = digester.digest();
    if (computed !== digest) throw new DigestMismatchError(digest, computed);
  };
  if ((await blobs.stat(digest)).found) {
    for await (const _chunk of chunks) {
      // drained only to verify: the stored blob already holds these bytes
    }
    verify();
    return { size: digester.bytes };
  }
  return blobs.put(digest, chunks, verify);
}
