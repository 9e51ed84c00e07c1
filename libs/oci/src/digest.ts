import { createHash, type Hash } from 'node:crypto';
import { RegistryError } from './errors';

/**
 * Content digests as the OCI image spec defines them, restricted to the algorithms a registry must
 * verify: `sha256:<64 lowercase hex>` and `sha512:<128 lowercase hex>`. Anything else (uppercase hex,
 * other lengths, unknown algorithms) is rejected before it can reach a storage key or a path.
 */
export type DigestAlgorithm = 'sha256' | 'sha512';
export type Digest = string & { readonly __brand: 'Digest' };

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_PATTERN = /^(sha256|sha512):([0-9a-f]+)$/;

export class DigestInvalidError extends RegistryError {
  constructor(value: string, reason: string) {
    super('DIGEST_INVALID', `invalid digest ${JSON.stringify(value.slice(0, 200))}: ${reason}`);
  }
}

export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  readonly digest: Digest;
}

export function parseDigest(value: string): ParsedDigest {
  const match = DIGEST_PATTERN.exec(value);
  if (!match) throw new DigestInvalidError(value, 'expected sha256:<hex> or sha512:<hex> in lowercase');
  const algorithm = match[1] as DigestAlgorithm;
  const hex = match[2] as string;
  if (hex.length !== HEX_LENGTH[algorithm]) {
    throw new DigestInvalidError(value, `${algorithm} takes ${HEX_LENGTH[algorithm]} hex digits`);
  }
  return { algorithm, hex, digest: value as Digest };
}

export function isDigest(value: string): value is Digest {
  const match = DIGEST_PATTERN.exec(value);
  return match !== null && (match[2] as string).length === HEX_LENGTH[match[1] as DigestAlgorithm];
}

export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest;
}

/** An incremental hash over a stream of chunks; `digest()` may be called once the input ended. */
export interface Digester {
  readonly algorithm: DigestAlgorithm;
  readonly bytes: number;
  update(chunk: Uint8Array): void;
  digest(): Digest;
}

export function createDigester(algorithm: DigestAlgorithm): Digester {
  const hash: Hash = createHash(algorithm);
  let bytes = 0;
  return {
    algorithm,
    get bytes() {
      return bytes;
    },
    update(chunk) {
      hash.update(chunk);
      bytes += chunk.length;
    },
    digest() {
      return `${algorithm}:${hash.digest('hex')}` as Digest;
    },
  };
}
