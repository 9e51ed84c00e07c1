import { SizeLimitError, SizeMismatchError } from '@cargohold/storage-ports';

export interface BodyLimits {
  /** Cap on the blob's total size, counting the `base` bytes already staged. */
  readonly maxBytes: number;
  /** Declared length of this body (Content-Length / Content-Range); another length is SizeMismatchError. */
  readonly expectedSize?: number;
}

/**
 * Passes `body` through, handing every chunk to `onChunk` (the hash) first, and fails as soon as a limit
 * is broken, before the offending chunk is passed on: the storage below rolls the partial write back.
 * Chunks are passed as they came: nothing is buffered here (invariant 6).
 */
export async function* metered(
  body: AsyncIterable<Uint8Array>,
  base: number,
  limits: BodyLimits,
  onChunk: (chunk: Uint8Array) => void,
  what: 'upload' | 'blob' = 'upload',
): AsyncGenerator<Uint8Array> {
  const { maxBytes, expectedSize } = limits;
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (base + received > maxBytes) throw new SizeLimitError(what, maxBytes);
    if (expectedSize !== undefined && received > expectedSize) throw new SizeMismatchError(expectedSize, received);
    onChunk(chunk);
    yield chunk;
  }
  if (expectedSize !== undefined && received !== expectedSize) throw new SizeMismatchError(expectedSize, received);
}
