import { back, firstPage, forward, hasNext, hasPrevious, loaded, pageSize, tokenOf, MAX_PAGE_SIZE } from './paging';

describe('paging over forward-only nextTokens', () => {
  it('starts on page 0 without a token, with no previous and no next until the page loaded', () => {
    const cursor = firstPage();
    expect(tokenOf(cursor)).toBeUndefined();
    expect(hasPrevious(cursor)).toBe(false);
    expect(hasNext(cursor)).toBe(false);
  });

  it('moves forward with the token the page answered and back with the token it was fetched with', () => {
    const one = forward(loaded(firstPage(), 'a'));
    expect(tokenOf(one)).toBe('a');
    expect(hasNext(one)).toBe(false);
    const two = forward(loaded(one, 'b'));
    expect(two.index).toBe(2);
    expect(tokenOf(two)).toBe('b');
    const again = back(two);
    expect(tokenOf(again)).toBe('a');
    expect(hasPrevious(again)).toBe(true);
    expect(tokenOf(back(again))).toBeUndefined();
  });

  it('stays put when there is no next page or no previous one', () => {
    const last = loaded(firstPage(), undefined);
    expect(forward(last)).toBe(last);
    expect(back(last)).toBe(last);
  });

  it('forgets a stale next token when the page reloads without one', () => {
    expect(hasNext(loaded(loaded(firstPage(), 'a'), undefined))).toBe(false);
  });

  it('keeps only the tokens up to the current page, so memory does not grow with the listing', () => {
    let cursor = firstPage();
    for (let i = 0; i < 10; i++) cursor = forward(loaded(cursor, `t${i}`));
    for (let i = 0; i < 5; i++) cursor = back(cursor);
    expect(cursor.tokens).toHaveLength(6);
    expect(forward(loaded(cursor, 'other')).tokens).toEqual([undefined, 't0', 't1', 't2', 't3', 't4', 'other']);
  });

  it('asks for at most MAX_PAGE_SIZE items and at least one', () => {
    expect(pageSize(1000)).toBe(MAX_PAGE_SIZE);
    expect(pageSize(0)).toBe(1);
    expect(pageSize(25.7)).toBe(25);
    expect(pageSize(Number.NaN)).toBe(1);
  });
});
