import { Transform, type TransformCallback } from 'node:stream';
import { createDigester, parseDigest } from '@cargohold/oci';
import { UpstreamDigestMismatchError } from './errors';

/**
 * A pass-through that hashes every chunk as it streams and, at the end, fails with
 * UpstreamDigestMismatchError unless the bytes hashed to `digest`. A consumer storing the stream must
 * treat only a clean end as success, so nothing unverified becomes addressable.
 */
export function verifyingStream(digest: string): Transform {
  const digester = createDigester(parseDigest(digest).algorithm);
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      digester.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const actual = digester.digest();
      callback(actual === digest ? null : new UpstreamDigestMismatchError(digest, actual));
    },
  });
}
