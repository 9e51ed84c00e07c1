import { Readable } from 'node:stream';
import { bodyOf, bytesOf, failingBody, readAll, slowBody, tracked } from './streams';

describe('test streams', () => {
  it('bytesOf is deterministic per seed', () => {
    expect(bytesOf(64, 3).equals(bytesOf(64, 3))).toBe(true);
    expect(bytesOf(64, 3).equals(bytesOf(64, 4))).toBe(false);
  });

  it('bodyOf yields the bytes in chunks', async () => {
    const chunks: number[] = [];
    for await (const chunk of bodyOf(bytesOf(10), 4)) chunks.push(chunk.length);
    expect(chunks).toEqual([4, 4, 2]);
  });

  it('failingBody throws after the given number of bytes', async () => {
    let seen = 0;
    const read = async () => {
      for await (const chunk of failingBody(bytesOf(100), 10, new Error('boom'))) seen += chunk.length;
    };
    await expect(read()).rejects.toThrow('boom');
    expect(seen).toBe(10);
  });

  it('slowBody and readAll round-trip the bytes', async () => {
    const bytes = bytesOf(50);
    expect((await readAll(slowBody(bytes, 20, 1))).equals(bytes)).toBe(true);
    expect((await readAll(Readable.from([bytes]))).equals(bytes)).toBe(true);
  });

  it('tracked tells whether a body was drained', async () => {
    const t = tracked(bodyOf(bytesOf(10), 3));
    expect(t.drained()).toBe(false);
    await readAll(t.body);
    expect(t.drained()).toBe(true);
  });
});
