import { SizeLimitError } from '@cargohold/storage-ports';
import { PartPipeline } from './part-pipeline';
import { MAX_PARTS } from './s3-layout';

/** A send whose parts resolve only when the spec says so. */
function heldSends() {
  const sent: { number: number; bytes: string; buffer: Buffer; done: () => void; fail: (error: Error) => void }[] = [];
  const send = (number: number, buffer: Buffer) =>
    new Promise<void>((resolve, reject) => {
      sent.push({ number, bytes: buffer.toString(), buffer, done: resolve, fail: reject });
    });
  return { sent, send };
}

/** Lets pending promise callbacks run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PartPipeline', () => {
  it('cuts chunks into parts sized by part number and keeps the rest', async () => {
    const parts: [number, string][] = [];
    const pipeline = new PartPipeline(
      3,
      async (number, bytes) => void parts.push([number, bytes.toString()]),
      (number) => number - 1,
    );

    for (const chunk of ['abcd', 'efghij', 'k']) await pipeline.write(Buffer.from(chunk));
    await pipeline.flush();

    expect(parts).toEqual([
      [3, 'ab'],
      [4, 'cde'],
      [5, 'fghi'],
    ]);
    expect(pipeline.rest().toString()).toBe('jk');
    expect(pipeline.rest()).toHaveLength(0);
  });

  it('copies bytes in, so a caller may reuse its chunk', async () => {
    const parts: string[] = [];
    const pipeline = new PartPipeline(
      1,
      async (_, bytes) => void parts.push(bytes.toString()),
      () => 4,
    );
    const chunk = Buffer.from('abc');
    await pipeline.write(chunk);
    chunk.write('xyz');
    await pipeline.write(chunk);
    await pipeline.flush();
    expect(parts).toEqual(['abcx']);
    expect(pipeline.rest().toString()).toBe('yz');
  });

  it('fills the next part while one is sent, and waits for it before sending another', async () => {
    const { sent, send } = heldSends();
    const pipeline = new PartPipeline(1, send, () => 2);

    await pipeline.write(Buffer.from('ab'));
    expect(sent.map((part) => part.number)).toEqual([1]);
    // The second part fills while the first is still in flight...
    let written = false;
    const second = pipeline.write(Buffer.from('cd')).then(() => (written = true));
    await tick();
    // ...but is not handed over until the first is stored: never two parts in flight.
    expect(sent.map((part) => part.number)).toEqual([1]);
    expect(written).toBe(false);

    sent[0]?.done();
    await second;
    expect(sent.map((part) => [part.number, part.bytes])).toEqual([
      [1, 'ab'],
      [2, 'cd'],
    ]);
    sent[1]?.done();
    await pipeline.flush();
  });

  it('never writes into a part still in flight, and reuses a stored part buffer for a later part', async () => {
    const { sent, send } = heldSends();
    const pipeline = new PartPipeline(1, send, () => 2);
    await pipeline.write(Buffer.from('ab'));
    const second = pipeline.write(Buffer.from('cd'));
    await tick();
    expect(sent[0]?.buffer.toString()).toBe('ab');
    sent[0]?.done();
    await second;

    const third = pipeline.write(Buffer.from('ef'));
    await tick();
    expect(sent[1]?.buffer.toString()).toBe('cd');
    sent[1]?.done();
    await third;
    expect(sent[2]?.bytes).toBe('ef');
    expect(sent[2]?.buffer).toBe(sent[0]?.buffer);
  });

  it('sends the first part alone, then up to inFlight parts at once, in whatever order S3 stores them', async () => {
    const { sent, send } = heldSends();
    const pipeline = new PartPipeline(1, send, () => 2, 2);
    await pipeline.write(Buffer.from('ab'));
    const second = pipeline.write(Buffer.from('cdef'));
    await tick();
    // The first part may open the multipart upload: nothing goes beside it.
    expect(sent.map((part) => part.number)).toEqual([1]);

    sent[0]?.done();
    await second;
    expect(sent.map((part) => [part.number, part.bytes])).toEqual([
      [1, 'ab'],
      [2, 'cd'],
      [3, 'ef'],
    ]);
    let written = false;
    const fourth = pipeline.write(Buffer.from('gh')).then(() => (written = true));
    await tick();
    expect(sent).toHaveLength(3);
    expect(written).toBe(false);

    // Part 3 stored before part 2 frees a slot all the same.
    sent[2]?.done();
    await fourth;
    expect(sent.map((part) => part.number)).toEqual([1, 2, 3, 4]);
    // Buffers are reused once stored (part 3 fills part 1's), never while in flight.
    expect(sent[2]?.buffer).toBe(sent[0]?.buffer);
    expect([sent[1]?.buffer, sent[2]?.buffer]).not.toContain(sent[3]?.buffer);
    let flushed = false;
    const flush = pipeline.flush().then(() => (flushed = true));
    sent[3]?.done();
    await tick();
    expect(flushed).toBe(false);
    sent[1]?.done();
    await flush;
  });

  it('surfaces a failed part from flush while another part is still in flight, once that one settled', async () => {
    const { sent, send } = heldSends();
    const pipeline = new PartPipeline(1, send, () => 1, 3);
    await pipeline.write(Buffer.from('a'));
    sent[0]?.done();
    await pipeline.write(Buffer.from('bc'));
    sent[2]?.fail(new Error('UploadPart 3 failed'));
    let settled = false;
    const flush = pipeline.flush().catch((error: unknown) => {
      settled = true;
      throw error;
    });
    await tick();
    expect(settled).toBe(false);
    sent[1]?.done();
    await expect(flush).rejects.toThrow('UploadPart 3 failed');
  });

  it('surfaces a failed part from the next write, and settle waits without throwing', async () => {
    const { sent, send } = heldSends();
    const pipeline = new PartPipeline(1, send, () => 2);
    await pipeline.write(Buffer.from('ab'));
    sent[0]?.fail(new Error('UploadPart failed'));
    await pipeline.settle();

    await expect(pipeline.write(Buffer.from('c'))).rejects.toThrow('UploadPart failed');
    await expect(pipeline.flush()).rejects.toThrow('UploadPart failed');
    expect(sent).toHaveLength(1);
  });

  it('takes S3 last part number full, then refuses the next byte with SizeLimitError', async () => {
    const numbers: number[] = [];
    const pipeline = new PartPipeline(
      MAX_PARTS - 1,
      async (number) => void numbers.push(number),
      () => 2,
    );
    await pipeline.write(Buffer.from('abcd'));
    await pipeline.flush();
    expect(numbers).toEqual([MAX_PARTS - 1, MAX_PARTS]);

    await expect(pipeline.write(Buffer.from('e'))).rejects.toBeInstanceOf(SizeLimitError);
  });
});
