import { formatPath, JsonScanError, scanJson } from './json-scan';

function scanError(text: string, maxDepth = 32): JsonScanError {
  try {
    scanJson(text, maxDepth);
  } catch (error) {
    if (error instanceof JsonScanError) return error;
    throw error;
  }
  throw new Error('expected scanJson to throw');
}

describe('scanJson', () => {
  it.each([
    '{}',
    '[]',
    ' {"a": [1, -2.5e+10, 0, true, false, null, "x\\n\\u00e9\\"", {"b": {}}]} ',
    '"just a string"',
    '{"a":{"a":{"a":1}}}',
    '[{"k":1},{"k":2}]',
    '{"emoji":"😀","escaped":"\\ud83d\\ude00"}',
  ])('accepts %s, exactly like JSON.parse', (text) => {
    expect(() => scanJson(text, 32)).not.toThrow();
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it.each([
    ['an empty document', ''],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a trailing comma in an array', '[1,]'],
    ['a leading zero', '[01]'],
    ['a bare decimal point', '[1.]'],
    ['a plus sign', '[+1]'],
    ['NaN', '[NaN]'],
    ['single quotes', "{'a':1}"],
    ['an unquoted key', '{a:1}'],
    ['a raw tab in a string', '["a\tb"]'],
    ['an unknown escape', '["\\x41"]'],
    ['a short unicode escape', '["\\u12"]'],
    ['an unterminated string', '["abc'],
    ['a comment', '{"a":1 /* no */}'],
    ['two documents', '{}{}'],
    ['a misspelt literal', '[tru]'],
    ['a non-JSON whitespace', '\u00a0{}'],
  ])('rejects %s, as JSON.parse would', (_label, text) => {
    expect(() => scanJson(text, 32)).toThrow(JsonScanError);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  describe('duplicate keys', () => {
    it('rejects them at the top level', () => {
      expect(scanError('{"a":1,"a":2}').message).toMatch(/^duplicate key "a" \(offset \d+\)$/);
    });

    it('rejects them deep inside arrays and reports the path', () => {
      const error = scanError('{"layers":[{"d":1},{"d":1,"size":2,"d":3}]}');
      expect(error.path).toBe('layers[1]');
      expect(error.message).toMatch(/duplicate key "d" at layers\[1\]/);
    });

    it('compares keys after decoding escapes', () => {
      expect(scanError('{"digest":1,"\\u0064igest":2}').message).toMatch(/duplicate key "digest"/);
    });

    it('allows the same key in sibling objects', () => {
      expect(() => scanJson('{"a":{"k":1},"b":{"k":1}}', 32)).not.toThrow();
    });

    it('treats __proto__ like any other key', () => {
      expect(scanError('{"__proto__":{},"__proto__":{}}').message).toMatch(/duplicate key "__proto__"/);
    });
  });

  describe('depth', () => {
    it('allows exactly maxDepth nested containers', () => {
      expect(() => scanJson(`${'['.repeat(4)}${']'.repeat(4)}`, 4)).not.toThrow();
    });

    it('rejects one more', () => {
      expect(scanError(`${'['.repeat(5)}${']'.repeat(5)}`, 4).message).toMatch(/nesting deeper than 4 levels/);
    });

    it('rejects a million-level bomb without exhausting the stack', () => {
      const bomb = `${'{"a":'.repeat(1_000_000)}1${'}'.repeat(1_000_000)}`;
      expect(scanError(bomb).message).toMatch(/nesting deeper than 32 levels/);
    });
  });
});

describe('formatPath', () => {
  it('renders identifiers with dots, indexes with brackets and other keys quoted', () => {
    expect(formatPath(['manifests', 0, 'platform', 'os.version'])).toBe('manifests[0].platform["os.version"]');
    expect(formatPath([])).toBe('');
  });
});
