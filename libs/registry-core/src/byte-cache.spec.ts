import { ByteCache } from './byte-cache';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('ByteCache', () => {
  it('answers what was stored, and nothing for what was not', () => {
    const cache = new ByteCache(100, 50);
    cache.set('a', bytes(10, 1));

    expect(cache.get('a')).toEqual(bytes(10, 1));
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps no entry larger than the entry limit', () => {
    const cache = new ByteCache(100, 50);
    cache.set('big', bytes(51, 1));

    expect(cache.get('big')).toBeUndefined();
  });

  it('stays within its bytes, evicting the oldest entry not read since', () => {
    const cache = new ByteCache(30, 10);
    cache.set('a', bytes(10, 1));
    cache.set('b', bytes(10, 2));
    cache.set('c', bytes(10, 3));
    cache.get('a');

    cache.set('d', bytes(10, 4));

    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([bytes(10, 1), bytes(10, 3), bytes(10, 4)]);
  });

  it('evicts a read entry too once every entry was read (its second chance used up)', () => {
    const cache = new ByteCache(20, 10);
    cache.set('a', bytes(10, 1));
    cache.set('b', bytes(10, 2));
    cache.get('a');
    cache.get('b');

    cache.set('c', bytes(10, 3));

    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c')]).toEqual([bytes(10, 2), bytes(10, 3)]);
  });
});
