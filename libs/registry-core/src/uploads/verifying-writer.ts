import {
  createDigester,
  createResumableDigester,
  HashStateInvalidError,
  parseDigest,
  type Digest,
  type Digester,
  type ResumableDigester,
} from '@cargohold/oci';
import {
  DigestMismatchError,
  UploadOffsetMismatchError,
  UploadUnknownError,
  type BlobUploads,
  type HashState,
} from '@cargohold/storage-ports';
import { metered, type BodyLimits } from './metered-body';

/** The algorithm whose state is kept with an upload: what clients claim in practice (sha512 rehashes). */
const RUNNING = 'sha256';

/** The last chunk of an upload, sent with the PUT that completes it. */
export interface LastChunk {
  readonly offset: number;
  readonly body: AsyncIterable<Uint8Array>;
  readonly limits: BodyLimits;
}

/**
 * The one place where an upload's bytes are metered, hashed and compared with the client's claim
 * (invariant 2), over adapters that only store, append, commit and abort.
 *
 * Each chunk is hashed as it streams, by a digester continued from the state saved with the upload
 * (`hashstates` in distribution's terms), and its state after the chunk is saved with the chunk. So an
 * upload resumed in another process, or after a restart, hashes only the bytes it had not hashed: when
 * the saved state lags the staged size (a crash between the bytes and the state, a last chunk whose
 * digest did not match), the gap is read back and hashed once. A body that starts and ends an upload
 * (the PUT of a POST-then-PUT push) needs no state: it is hashed by node:crypto, which is faster.
 *
 * `hashedBytes` counts every byte hashed, so specs can tell a resume from a rehash without timing.
 */
export class VerifyingWriter {
  private hashed = 0;

  constructor(private readonly uploads: BlobUploads) {}

  /** Bytes hashed by this writer since it was made (body bytes and bytes read back alike). */
  get hashedBytes(): number {
    return this.hashed;
  }

  async size(id: string): Promise<number> {
    return (await this.status(id)).size;
  }

  /** Appends a chunk at `offset`, hashing it on the way and saving the hash state with it. */
  async append(id: string, offset: number, body: AsyncIterable<Uint8Array>, limits: BodyLimits): Promise<{ size: number }> {
    const status = await this.status(id);
    if (offset !== status.size) throw new UploadOffsetMismatchError(offset, status.size);
    const digester = await this.running(id, status);
    const chunks = metered(body, offset, limits, (chunk) => this.feed(digester, chunk));
    return this.uploads.append(id, offset, chunks, () => stateOf(digester));
  }

  /**
   * Appends the optional last chunk, computes the digest of the staged bytes and, only if it is the
   * claimed one, makes them addressable. On DigestMismatchError the upload stays as it is (resumable).
   */
  async commit(id: string, claimed: Digest, last?: LastChunk): Promise<{ size: number }> {
    const { algorithm } = parseDigest(claimed);
    let size: number;
    let computed: Digest;
    if (last && last.offset === 0) {
      const digester = createDigester(algorithm);
      const chunks = metered(last.body, 0, last.limits, (chunk) => this.feed(digester, chunk));
      size = (await this.uploads.append(id, 0, chunks)).size;
      computed = digester.digest();
    } else {
      if (last) await this.append(id, last.offset, last.body, last.limits);
      const status = await this.status(id);
      size = status.size;
      const digester = algorithm === RUNNING ? await this.running(id, status) : createDigester(algorithm);
      await this.catchUp(id, digester, size);
      computed = digester.digest();
    }
    if (computed !== claimed) throw new DigestMismatchError(claimed, computed);
    await this.uploads.commit(id, claimed, size);
    return { size };
  }

  private async status(id: string): Promise<{ size: number; hashState?: HashState }> {
    const status = await this.uploads.status(id);
    if (!status.found) throw new UploadUnknownError(id);
    return status;
  }

  /** A digester at the staged size: the saved state, caught up over any bytes it does not cover. */
  private async running(id: string, status: { size: number; hashState?: HashState }): Promise<ResumableDigester> {
    const saved = status.hashState;
    let digester: ResumableDigester | undefined;
    if (saved && saved.algorithm === RUNNING && saved.offset <= status.size) {
      try {
        digester = await createResumableDigester(RUNNING, { state: saved.state, bytes: saved.offset });
      } catch (error) {
        if (!(error instanceof HashStateInvalidError)) throw error;
      }
    }
    digester ??= await createResumableDigester(RUNNING);
    await this.catchUp(id, digester, status.size);
    return digester;
  }

  /** Feeds `digester` the staged bytes from where it stands up to `size` (read back from storage). */
  private async catchUp(id: string, digester: Digester, size: number): Promise<void> {
    if (digester.bytes >= size) return;
    for await (const chunk of this.uploads.read(id, digester.bytes)) {
      this.feed(digester, chunk.subarray(0, size - digester.bytes));
      if (digester.bytes >= size) break;
    }
    if (digester.bytes !== size) throw new UploadOffsetMismatchError(size, digester.bytes);
  }

  private feed(digester: Digester, chunk: Uint8Array): void {
    digester.update(chunk);
    this.hashed += chunk.length;
  }
}

function stateOf(digester: ResumableDigester): HashState {
  return { algorithm: RUNNING, offset: digester.bytes, state: digester.save() };
}
