import { SizeLimitError, SizeMismatchError } from '@cargohold/storage-ports';

export interface Limits {
  /** Bytes already held before this body (an upload's offset). */
  readonly base: number;
  readonly maxBytes: number;
  readonly expectedSize?: number;
  /** What the cap applies to, for the error message. */
  readonly what: string;
}

/** Reads a body into memory, enforcing the cap and the declared length as it goes. */
export async function collect(body: AsyncIterable<Uint8Array>, limits: Limits): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    received += chunk.length;
    if (limits.base + received > limits.maxBytes) throw new SizeLimitError(limits.what, limits.maxBytes);
    if (limits.expectedSize !== undefined && received > limits.expectedSize) {
      throw new SizeMismatchError(limits.expectedSize, received);
    }
    chunks.push(Buffer.from(chunk));
  }
  if (limits.expectedSize !== undefined && received !== limits.expectedSize) {
    throw new SizeMismatchError(limits.expectedSize, received);
  }
  return Buffer.concat(chunks, received);
}

/** Byte (UTF-8) order, as the ports' pagination requires; equal to code-unit order for ASCII names. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
