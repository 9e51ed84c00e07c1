import { SizeLimitError } from '@cargohold/storage-ports';
import { MAX_MULTIPART_BYTES, MAX_PARTS, partSize } from './s3-layout';

/**
 * Stores one full part as part `number` of a multipart upload; resolves once S3 holds it. `bytes` is
 * reused for a later part once the promise resolves, so nothing may read it after that.
 */
export type SendPart = (number: number, bytes: Buffer) => Promise<void>;

/**
 * Cuts a byte stream into the parts of one multipart upload (part n is `sizeOf(n)` bytes, the schedule in
 * s3-layout.ts) and sends full parts while the next one fills, so the client's stream and S3 run at once.
 * Up to `inFlight` parts are sent at a time, so at most `inFlight + 1` parts are held: those being sent
 * and the one filling. `write` waits for a free slot before handing over the next part, and that wait is
 * the backpressure on the body. The first part is sent alone (the next waits until S3 stored it), so
 * `send` may open the multipart upload there; later parts may be stored in any order, so callers order
 * what `send` collected by part number.
 *
 * A failed send surfaces from the next `write` or from `flush`; callers that give up for any reason call
 * `settle` before rolling back, so no part lands after the rollback. Bytes are copied in, so callers may
 * reuse their chunks.
 */
export class PartPipeline {
  private filling: Buffer | undefined;
  /** Buffers of parts S3 stored, filled again by later parts of the same size. */
  private spares: Buffer[] = [];
  private held = 0;
  private number: number;
  private readonly sending = new Set<Promise<void>>();
  /** Whether the first part was stored: until then, no second part is sent beside it. */
  private opened = false;
  private failure: { error: unknown } | undefined;

  constructor(
    firstNumber: number,
    private readonly send: SendPart,
    private readonly sizeOf: (number: number) => number = partSize,
    private readonly inFlight = 1,
  ) {
    if (!Number.isInteger(inFlight) || inFlight < 1) throw new RangeError(`inFlight ${inFlight} is not a positive integer`);
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

  /** Waits for every part in flight; throws the error of any part that failed. */
  async flush(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for every part in flight, whatever its outcome. */
  async settle(): Promise<void> {
    await Promise.all(this.sending);
  }

  /** The bytes that did not fill a part (fewer than the next part's size), leaving the pipeline empty. */
  rest(): Buffer {
    const rest = this.filling?.subarray(0, this.held) ?? Buffer.alloc(0);
    this.filling = undefined;
    this.held = 0;
    return rest;
  }

  /** Sends `part` once a slot is free; the send's outcome is kept, never left unhandled. */
  private async hand(part: Buffer): Promise<void> {
    const slots = this.opened ? this.inFlight : 1;
    while (this.sending.size >= slots) await Promise.race(this.sending);
    this.throwIfFailed();
    const number = this.number++;
    this.filling = undefined;
    this.held = 0;
    const sending: Promise<void> = this.send(number, part).then(
      () => {
        this.sending.delete(sending);
        this.opened = true;
        this.spares.push(part);
      },
      (error: unknown) => {
        this.sending.delete(sending);
        this.failure ??= { error };
      },
    );
    this.sending.add(sending);
  }

  /**
   * A buffer for the next part: a spare when one fits, so a long stream cycles through `inFlight + 1`
   * buffers instead of leaving a dead part for the garbage collector every few megabytes (spares of an
   * earlier, smaller step of the schedule are dropped). Not zero-filled: every byte up to `held` is
   * written before it is read.
   */
  private buffer(size: number): Buffer {
    const spare = this.spares.pop();
    if (spare?.length === size) return spare;
    this.spares = [];
    return Buffer.allocUnsafe(size);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
