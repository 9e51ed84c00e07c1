import type { IHasher } from 'hash-wasm';
import type { Digest, DigestAlgorithm, Digester } from './digest';

/**
 * A Digester whose state can be saved and loaded again in another process, so that an upload resumed
 * anywhere hashes only the bytes it has not hashed yet (distribution keeps its hash states the same way).
 * Node's crypto cannot export a hash state, so this runs hash-wasm (WebAssembly): about a third of
 * node:crypto's sha256 speed on a CPU with SHA extensions. Use it where a state must be kept; hash
 * bodies that end an upload with `createDigester`.
 */
export interface ResumableDigester extends Digester {
  /** The state after the bytes so far; `load` it into a fresh digester to continue. */
  save(): Uint8Array;
}

/** A saved state from another version of the hash implementation (or corrupted): start over instead. */
export class HashStateInvalidError extends Error {}

/**
 * hash-wasm is loaded on first use: only chunked uploads need it, and its module would otherwise add
 * ~10 ms to every process start, Lambda cold starts included. Its one-algorithm builds (the same
 * WebAssembly) rather than its index, which inlines every algorithm it has: 42 KiB instead of 212 in a
 * Lambda bundle, which V8 parses at every cold start even when nothing calls it.
 */
async function hasherFor(algorithm: DigestAlgorithm): Promise<IHasher> {
  if (algorithm === 'sha256') return (await import('hash-wasm/dist/sha256.umd.min.js')).createSHA256();
  return (await import('hash-wasm/dist/sha512.umd.min.js')).createSHA512();
}

/** A fresh digester, or one continuing from `from` (a saved state and how many bytes it covers). */
export async function createResumableDigester(
  algorithm: DigestAlgorithm,
  from?: { readonly state: Uint8Array; readonly bytes: number },
): Promise<ResumableDigester> {
  const hasher = await hasherFor(algorithm);
  hasher.init();
  if (from) {
    try {
      hasher.load(from.state);
    } catch (error) {
      throw new HashStateInvalidError(`cannot load a saved ${algorithm} state`, { cause: error });
    }
  }
  let bytes = from?.bytes ?? 0;
  return {
    algorithm,
    get bytes() {
      return bytes;
    },
    update(chunk) {
      hasher.update(chunk);
      bytes += chunk.length;
    },
    digest() {
      return `${algorithm}:${hasher.digest('hex')}` as Digest;
    },
    save: () => hasher.save(),
  };
}
