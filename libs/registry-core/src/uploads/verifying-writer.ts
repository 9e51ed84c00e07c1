import {
  createDigester,
  createResumableDigester,
  HashStateInvalidError,
  parseDigest,
  type Digest,
  type Digester,
  type ResumableDigester,
} from '@cargohold/oci';
import { DigestMismatchError, UploadOffsetMismatchError, UploadUnknownError, type BlobUploads, type HashState } from '@cargohold/storage-ports';
import { metered, type BodyLimits } from './metered-body';
import { RunningHashes } from './running-hashes';

/** The algorithm whose state is kept with an upload: what clients claim in practice (sha512 rehashes). */
const RUNNING = 'sha256';

/** A body for an upload, with the limits it must meet. */
export interface Chunk {
  /** Where the chunk goes; none for a streamed chunk, which goes at the staged size (read once, here). */
  readonly offset?: number;
  readonly body: AsyncIterable<Uint8Array>;
  readonly limits: BodyLimits;
  /**
   * Save the hash state with this chunk, so that any process can continue after it (a chunked PATCH).
   * Without it (a streamed PATCH: the whole blob in one body, as docker, podman and skopeo send it) the
   * chunk is hashed by node:crypto, about three times faster, and its state stays in this process for
   * the PUT that follows; a resume elsewhere then hashes the gap again from the staged bytes.
   */
  readonly resumable: boolean;
}

/**
 * The one place where an upload's bytes are metered, hashed and compared with the client's claim
 * (invariant 2), over adapters that only store, append, commit and abort.
 *
 * A resumable chunk is hashed as it streams by a digester continued from the state saved with the upload
 * (`hashstates` in distribution's terms), and its state after the chunk is saved with the chunk. So an
 * upload resumed in another process, or after a restart, hashes only the bytes it had not hashed: when
 * the saved state lags the staged size (a crash between the bytes and the state, a streamed chunk, a
 * last chunk whose digest did not match), the gap is read back and hashed once. Bodies that need no
 * saved state (a streamed chunk, the last chunk) are hashed by node:crypto where they can be.
 *
 * `hashedBytes` counts every byte hashed, so specs can tell a resume from a rehash without timing.
 */
export class VerifyingWriter {
  private hashed = 0;
  private readonly inProcess = new RunningHashes();

  constructor(private readonly uploads: BlobUploads) {}

  /** Bytes hashed by this writer since it was made (body bytes and bytes read back alike). */
  get hashedBytes(): number {
    return this.hashed;
  }

  async size(id: string): Promise<number> {
    return (await this.status(id)).size;
  }

  /** Appends a chunk at its offset, hashing it on the way (and saving the state, if resumable). */
  async append(id: string, chunk: Chunk): Promise<{ size: number }> {
    const status = await this.status(id);
    const offset = chunk.offset ?? status.size;
    if (offset !== status.size) throw new UploadOffsetMismatchError(offset, status.size);
    const placed = { ...chunk, offset };
    const fast = chunk.resumable ? undefined : offset === 0 ? createDigester(RUNNING) : this.inProcess.take(id, offset);
    if (fast) {
      const { size } = await this.uploads.append(id, offset, this.hashing(fast, placed));
      this.inProcess.keep(id, size, fast);
      return { size };
    }
    this.inProcess.forget(id);
    const digester = await this.resumed(id, status);
    return this.uploads.append(id, offset, this.hashing(digester, placed), () => stateOf(digester));
  }

  /**
   * Appends the optional last chunk, computes the digest of the staged bytes and, only if it is the
   * claimed one, calls `beforeCommit` with their size and makes them addressable. On DigestMismatchError
   * the upload stays as it is (resumable).
   */
  async commit(
    id: string,
    claimed: Digest,
    last?: Omit<Chunk, 'resumable'> & { offset: number },
    beforeCommit?: (size: number) => Promise<void>,
  ): Promise<{ size: number }> {
    const { algorithm } = parseDigest(claimed);
    let size: number;
    let computed: Digest;
    if (last && last.offset === 0) {
      // The whole blob in one body: hashed once, in the claimed algorithm.
      const digester = createDigester(algorithm);
      size = (await this.uploads.append(id, 0, this.hashing(digester, last))).size;
      computed = digester.digest();
    } else {
      if (last) await this.append(id, { ...last, resumable: false });
      const status = await this.status(id);
      size = status.size;
      computed = (await this.digester(id, algorithm, status)).digest();
    }
    if (computed !== claimed) throw new DigestMismatchError(claimed, computed);
    await beforeCommit?.(size);
    await this.uploads.commit(id, claimed, size);
    return { size };
  }

  /** Drops what this process keeps for an upload that ended (cancelled, expired, purged). */
  forget(id: string): void {
    this.inProcess.forget(id);
  }

  private async status(id: string): Promise<{ size: number; hashState?: HashState }> {
    const status = await this.uploads.status(id);
    if (!status.found) throw new UploadUnknownError(id);
    return status;
  }

  /** A digester of all the staged bytes, from the fastest source at hand. */
  private async digester(id: string, algorithm: Digester['algorithm'], status: { size: number; hashState?: HashState }): Promise<Digester> {
    const digester =
      algorithm !== RUNNING
        ? createDigester(algorithm)
        : (this.inProcess.take(id, status.size) ?? (status.hashState ? await this.resumed(id, status) : createDigester(RUNNING)));
    await this.catchUp(id, digester, status.size);
    return digester;
  }

  /** A resumable digester at the staged size: the saved state, caught up over any bytes it lacks. */
  private async resumed(id: string, status: { size: number; hashState?: HashState }): Promise<ResumableDigester> {
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

  private hashing(digester: Digester, chunk: Omit<Chunk, 'resumable'> & { offset: number }): AsyncIterable<Uint8Array> {
    return metered(chunk.body, chunk.offset, chunk.limits, (bytes) => this.feed(digester, bytes));
  }

  private feed(digester: Digester, chunk: Uint8Array): void {
    digester.update(chunk);
    this.hashed += chunk.length;
  }
}

function stateOf(digester: ResumableDigester): HashState {
  return { algorithm: RUNNING, offset: digester.bytes, state: digester.save() };
}
