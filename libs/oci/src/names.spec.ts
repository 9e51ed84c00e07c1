import { digestOf, DigestInvalidError } from './digest';
import { RegistryError } from './errors';
import { isRepositoryName, isTag, NameInvalidError, parseReference, TagInvalidError, validateRepositoryName, validateTag } from './names';

describe('validateRepositoryName', () => {
  it.each(['ab', 'library/nginx', 'my-org/team.app/api_server', 'a__b', 'a---b', 'registry/0/1', 'x'.repeat(256), `${'a'.repeat(100)}/${'b'.repeat(155)}`])(
    'accepts %s',
    (name) => {
      expect(() => validateRepositoryName(name)).not.toThrow();
      expect(isRepositoryName(name)).toBe(true);
    },
  );

  it.each([
    ['a single character (ECR minimum is 2)', 'a'],
    ['the empty string', ''],
    ['257 characters (ECR maximum is 256)', 'x'.repeat(257)],
    ['a dot-dot path segment', 'a/../b'],
    ['a bare dot-dot', '..'],
    ['a leading dot-dot segment', '../etc/passwd'],
    ['a single dot segment', 'a/./b'],
    ['percent-encoded dots', '%2e%2e'],
    ['percent-encoded slash', 'a%2fb'],
    ['uppercase letters', 'Library/Nginx'],
    ['a leading slash', '/library/nginx'],
    ['a trailing slash', 'library/nginx/'],
    ['a double slash', 'library//nginx'],
    ['a leading separator', '-nginx'],
    ['a trailing separator', 'nginx_'],
    ['a triple underscore', 'a___b'],
    ['two dots in a row', 'a..b'],
    ['mixed separators', 'a.-b'],
    ['a backslash', 'a\\b'],
    ['whitespace', 'library/ nginx'],
    ['a NUL byte', 'ab\u0000'],
    ['a colon', 'library:nginx'],
    ['non-ASCII letters', 'bibliothèque'],
  ])('rejects %s with NAME_INVALID', (_label, name) => {
    expect(isRepositoryName(name)).toBe(false);
    const error = captureError(() => validateRepositoryName(name));
    expect(error).toBeInstanceOf(NameInvalidError);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'NAME_INVALID', status: 400 });
  });

  it('names the length limit when the name is too long', () => {
    expect(() => validateRepositoryName('x'.repeat(257))).toThrow(/between 2 and 256/);
  });
});

describe('validateTag', () => {
  it.each(['latest', 'v1.2.3', '_internal', '1', 'A-B_c.d', 'x'.repeat(128), 'sha256-abc.sig'])('accepts %s', (tag) => {
    expect(() => validateTag(tag)).not.toThrow();
    expect(isTag(tag)).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['129 characters', 'x'.repeat(129)],
    ['a leading dot', '.hidden'],
    ['a leading dash', '-rc'],
    ['a slash', 'feature/x'],
    ['a colon', 'v1:2'],
    ['a plus sign', 'v1+build'],
    ['whitespace', 'v 1'],
    ['a dot-dot', '..'],
  ])('rejects %s with TAG_INVALID', (_label, tag) => {
    expect(isTag(tag)).toBe(false);
    const error = captureError(() => validateTag(tag));
    expect(error).toBeInstanceOf(TagInvalidError);
    expect(error).toMatchObject({ code: 'TAG_INVALID', status: 400 });
  });
});

describe('parseReference', () => {
  it('reads a reference without a colon as a tag', () => {
    expect(parseReference('v1.0')).toEqual({ kind: 'tag', tag: 'v1.0' });
  });

  it('reads a reference with a colon as a digest', () => {
    const digest = digestOf(new TextEncoder().encode('hello'));
    expect(parseReference(digest)).toEqual({ kind: 'digest', digest });
  });

  it('rejects a malformed digest with DIGEST_INVALID', () => {
    expect(() => parseReference('sha256:abc')).toThrow(DigestInvalidError);
    expect(() => parseReference('md5:d41d8cd98f00b204e9800998ecf8427e')).toThrow(DigestInvalidError);
  });

  it('rejects a malformed tag with TAG_INVALID', () => {
    expect(() => parseReference('..')).toThrow(TagInvalidError);
    expect(() => parseReference('')).toThrow(TagInvalidError);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
