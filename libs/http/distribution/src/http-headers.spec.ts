import { hasBody, parseContentLength, parseContentRange, parsePage, parseRange } from './http-headers';

describe('parseContentRange', () => {
  it('reads the OCI form and the bytes form', () => {
    expect(parseContentRange('0-99')).toEqual({ start: 0, end: 99 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ start: 100, end: 199 });
    expect(parseContentRange(undefined)).toBeUndefined();
  });

  it('refuses malformed and backwards ranges with 416', () => {
    for (const value of ['abc', '10-5', '-5', '1-2-3', `0-${'9'.repeat(20)}`]) {
      expect(() => parseContentRange(value)).toThrow(expect.objectContaining({ code: 'BLOB_UPLOAD_INVALID', status: 416 }));
    }
  });
});

describe('parseRange', () => {
  it('reads single byte ranges and ignores what it does not support', () => {
    expect(parseRange('bytes=0-9')).toEqual({ kind: 'from', start: 0, end: 9 });
    expect(parseRange('bytes=5-')).toEqual({ kind: 'from', start: 5 });
    expect(parseRange('bytes=-5')).toEqual({ kind: 'suffix', length: 5 });
    expect(parseRange('bytes=0-1,4-5')).toBeUndefined();
    expect(parseRange('items=0-1')).toBeUndefined();
    expect(parseRange('bytes=9-1')).toBeUndefined();
  });
});

describe('parsePage', () => {
  it('reads n and last, refusing a non-numeric n', () => {
    expect(parsePage(new URLSearchParams('n=10&last=a'))).toEqual({ n: 10, last: 'a' });
    expect(parsePage(new URLSearchParams(''))).toEqual({});
    expect(() => parsePage(new URLSearchParams('n=-1'))).toThrow(expect.objectContaining({ code: 'PAGINATION_NUMBER_INVALID' }));
  });
});

describe('parseContentLength and hasBody', () => {
  it('accepts only plain decimal lengths', () => {
    expect(parseContentLength('42')).toBe(42);
    expect(() => parseContentLength('4e2')).toThrow(expect.objectContaining({ code: 'BLOB_UPLOAD_INVALID' }));
  });

  it('sees a body when there is a non-zero length or chunked encoding', () => {
    expect(hasBody({ 'content-length': '0' })).toBe(false);
    expect(hasBody({ 'content-length': '3' })).toBe(true);
    expect(hasBody({ 'transfer-encoding': 'chunked' })).toBe(true);
    expect(hasBody({})).toBe(false);
  });
});
