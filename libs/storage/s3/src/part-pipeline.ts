import { SizeLimitError } from '@cargohold/storage-ports';
import { MAX_MULTIPART_BYTES, MAX_PARTS, partSize } from './s3-layout';

/**
 * Stores one full part as part `number` of a multipart upload; resolves once S3 holds it. `bytes` is
 * reused for a later part once the promise resolves, so nothing may read it after that.
 */
export type SendPart = (number: number, bytes: Buffer) => Promise<void>;

/**
 * Cuts a byte stream into the parts of one multipart upload (part n is `sizeOf(n)` bytes, the schedule in
 * s3-layout.ts) and sends each full part while the next one fills, so the client's stream and S3 run at
 * once. At most two parts are held: the one being sent and the one filling. `write` waits for the part
 * in flight before handing over the next, and that wait is the backpressure on the body. Parts are sent
 * one at a time and in order, so `send` may open the multipart upload at the first part.
 *
 * A failed send surfaces from the next `write` or from `flush`; callers that give up for any reason call
 * `settle` before rolling back, so no part lands after the rollback. Bytes are copied in, so callers may
 * reuse their chunks.
 */
export class PartPipeline {
  private filling: Buffer | undefined;
  /** The buffer of the last part S3 stored, filled again by the next part of the same size. */
  private spare: Buffer | undefined;
  private held = 0;
  private number: number;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    firstNumber: number,
    private readonly send: SendPart,
    private readonly sizeOf: (number: number) => number = partSize,
  ) {
    this.number = firstNumber;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      this.throwIfFailed();
      if (this.number > MAX_PARTS) throw new SizeLimitError(`an upload staged in ${MAX_PARTS} parts`, MAX_MULTIPART_BYTES);
      const size = this.sizeOf(this.number);
      this.filling ??= this.buffer(size);
      const take = Math.min(size - this.held, rest.length);
      this.filling.set(rest.subarray(0, take), this.held);
      this.held += take;
      rest = rest.subarray(take);
      if (this.held === size) await this.hand(this.filling);
    }
  }

  /** Waits for the part in flight; throws the error of any part that failed. */
  async flush(): Promise<void> {
    await this.inFlight;
    this.throwIfFailed();
  }

  /** Waits for the part in flight, whatever its outcome. */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** The bytes that did not fill a part (fewer than the next part's size), leaving the pipeline empty. */
  rest(): Buffer {
    const rest = this.filling?.subarray(0, this.held) ?? Buffer.alloc(0);
    this.filling = undefined;
    this.held = 0;
    return rest;
  }

  /** Sends `part` once the previous one is stored; the send's outcome is kept, never left unhandled. */
  private async hand(part: Buffer): Promise<void> {
    await this.flush();
    const number = this.number++;
    this.filling = undefined;
    this.held = 0;
    this.inFlight = this.send(number, part).then(
      () => {
        this.spare = part;
      },
      (error: unknown) => {
        this.failure = { error };
      },
    );
  }

  /**
   * A buffer for the next part: the spare when it fits, so a long stream cycles through two buffers
   * instead of leaving a dead part for the garbage collector every few megabytes. Not zero-filled: every
   * byte up to `held` is written before it is read.
   */
  private buffer(size: number): Buffer {
    const spare = this.spare;
    this.spare = undefined;
    return spare?.length === size ? spare : Buffer.allocUnsafe(size);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
