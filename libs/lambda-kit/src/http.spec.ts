import { readBody } from './http';

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe('readBody', () => {
  it('collects a body within the limit', async () => {
    const read = await readBody(chunks('ab', 'cd'), 4);
    expect(read.ok && read.bytes.toString()).toBe('abcd');
  });

  it('stops reading as soon as the limit is crossed', async () => {
    let pulled = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      for (;;) {
        pulled++;
        yield Buffer.alloc(10);
      }
    }
    await expect(readBody(endless(), 25)).resolves.toEqual({ ok: false });
    expect(pulled).toBe(3);
  });
});
