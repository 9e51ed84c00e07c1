/**
 * A single pass over JSON text that JSON.parse cannot do for us: it rejects duplicate object keys at any
 * depth (JSON.parse silently keeps the last one, so two readers of the same bytes could disagree about
 * which layer a manifest names) and caps nesting depth before any object is built. It also checks the
 * full RFC 8259 grammar, so JSON.parse afterwards cannot fail.
 */
export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly path: string,
  ) {
    super(message);
    this.name = 'JsonScanError';
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

export function scanJson(text: string, maxDepth: number): void {
  new Scanner(text, maxDepth).scanDocument();
}

class Scanner {
  private pos = 0;
  /** Keys and indexes from the root to the value being scanned, joined only when reporting an error. */
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  scanDocument(): void {
    this.value(0);
    this.whitespace();
    if (this.pos !== this.text.length) this.fail('unexpected data after the JSON document');
  }

  private value(depth: number): void {
    this.whitespace();
    const c = this.text[this.pos];
    if (c === '{') this.object(depth + 1);
    else if (c === '[') this.array(depth + 1);
    else if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(c)}`);
  }

  private object(depth: number): void {
    this.checkDepth(depth);
    this.pos++;
    const keys = new Set<string>();
    this.whitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const start = this.pos;
      this.string();
      const key = JSON.parse(this.text.slice(start, this.pos)) as string;
      if (keys.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      keys.add(key);
      this.whitespace();
      if (this.text[this.pos] !== ':') this.fail('expected ":" after a key');
      this.pos++;
      this.path.push(key);
      this.value(depth);
      this.path.pop();
      if (this.endOfContainer('}')) return;
    }
  }

  private array(depth: number): void {
    this.checkDepth(depth);
    this.pos++;
    this.whitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let index = 0; ; index++) {
      this.path.push(index);
      this.value(depth);
      this.path.pop();
      if (this.endOfContainer(']')) return;
    }
  }

  /** After a member: true at the closing bracket, false at a comma, an error otherwise. */
  private endOfContainer(close: '}' | ']'): boolean {
    this.whitespace();
    const c = this.text[this.pos];
    this.pos++;
    if (c === close) return true;
    if (c === ',') return false;
    this.pos--;
    return this.fail(c === undefined ? 'unexpected end of JSON' : `expected "," or "${close}"`);
  }

  private string(): void {
    this.pos++;
    for (;;) {
      this.skipPlainStringChars();
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === '\\') {
        ESCAPE.lastIndex = this.pos;
        if (!ESCAPE.test(this.text)) this.fail('invalid escape sequence in a string');
        this.pos = ESCAPE.lastIndex;
      } else if (c === undefined) {
        this.fail('unterminated string');
      } else {
        this.fail('unescaped control character in a string');
      }
    }
  }

  /** Skips characters that need no escaping: not '"', not '\\', not a control character (< U+0020). */
  private skipPlainStringChars(): void {
    const text = this.text;
    let pos = this.pos;
    for (let code = text.charCodeAt(pos); code >= 0x20 && code !== 0x22 && code !== 0x5c; code = text.charCodeAt(pos)) {
      pos++;
    }
    this.pos = pos;
  }

  private number(): void {
    NUMBER.lastIndex = this.pos;
    if (!NUMBER.test(this.text)) this.fail('invalid number');
    this.pos = NUMBER.lastIndex;
  }

  private literal(word: 'true' | 'false' | 'null'): void {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
  }

  private whitespace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
  }

  private fail(reason: string): never {
    const path = formatPath(this.path);
    const where = path === '' ? '' : ` at ${path}`;
    throw new JsonScanError(`${reason}${where} (offset ${this.pos})`, this.pos, path);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `["layers", 1, "digest"]` → `layers[1].digest`; `["platform", "os.version"]` → `platform["os.version"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
