import { createHash } from 'node:crypto';
import { createDigester, digestOf, DigestInvalidError, isDigest, parseDigest } from './digest';

const SHA256_HEX = createHash('sha256').update('cargohold').digest('hex');
const SHA512_HEX = createHash('sha512').update('cargohold').digest('hex');

describe('parseDigest', () => {
  it('accepts a sha256 digest with 64 lowercase hex digits', () => {
    expect(parseDigest(`sha256:${SHA256_HEX}`)).toEqual({
      algorithm: 'sha256',
      hex: SHA256_HEX,
      digest: `sha256:${SHA256_HEX}`,
    });
  });

  it('accepts a sha512 digest with 128 lowercase hex digits', () => {
    expect(parseDigest(`sha512:${SHA512_HEX}`)).toMatchObject({ algorithm: 'sha512', hex: SHA512_HEX });
  });

  it.each([
    ['uppercase hex', `sha256:${SHA256_HEX.toUpperCase()}`],
    ['an uppercase algorithm', `SHA256:${SHA256_HEX}`],
    ['a sha256 with 63 digits', `sha256:${SHA256_HEX.slice(1)}`],
    ['a sha256 with 65 digits', `sha256:${SHA256_HEX}0`],
    ['a sha256 with sha512 length', `sha256:${SHA512_HEX}`],
    ['a sha512 with sha256 length', `sha512:${SHA256_HEX}`],
    ['md5', 'md5:d41d8cd98f00b204e9800998ecf8427e'],
    ['the empty string', ''],
    ['an algorithm with no hex', 'sha256:'],
    ['hex with no algorithm', SHA256_HEX],
    ['a path traversal', `sha256:../../${SHA256_HEX}`],
    ['a trailing newline', `sha256:${SHA256_HEX}\n`],
  ])('rejects %s with DIGEST_INVALID', (_label, value) => {
    expect(isDigest(value)).toBe(false);
    expect(() => parseDigest(value)).toThrow(DigestInvalidError);
    expect(() => parseDigest(value)).toThrow(expect.objectContaining({ code: 'DIGEST_INVALID', status: 400 }));
  });
});

describe('isDigest', () => {
  it('recognises both supported algorithms', () => {
    expect(isDigest(`sha256:${SHA256_HEX}`)).toBe(true);
    expect(isDigest(`sha512:${SHA512_HEX}`)).toBe(true);
  });
});

describe('digestOf', () => {
  it('hashes with sha256 by default', () => {
    expect(digestOf(new TextEncoder().encode('cargohold'))).toBe(`sha256:${SHA256_HEX}`);
  });

  it('hashes the empty JSON object to the well-known empty descriptor digest', () => {
    expect(digestOf(new TextEncoder().encode('{}'))).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});

describe('createDigester', () => {
  it.each(['sha256', 'sha512'] as const)('matches digestOf for chunked %s input', (algorithm) => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 31) % 256);
    const digester = createDigester(algorithm);
    for (let offset = 0; offset < bytes.length; offset += 777) digester.update(bytes.subarray(offset, offset + 777));
    expect(digester.bytes).toBe(bytes.length);
    expect(digester.digest()).toBe(digestOf(bytes, algorithm));
  });

  it('digests no input as the hash of the empty string', () => {
    expect(createDigester('sha256').digest()).toBe(digestOf(new Uint8Array(0)));
  });
});
