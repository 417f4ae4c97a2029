/*
 * A small JSON reader that knows where it is: errors carry the offset of the bad character, so an import
 * can say "line 12, column 7". It reads from a window of text that may end in the middle of a value;
 * then it throws NEED_MORE and the caller retries with more text (see importFormats.ts).
 */

export class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when the window ends inside a value and more text may follow. */
export const NEED_MORE = Symbol('need more text');

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export class JsonReader {
  pos: number;

  /** `final`: the text ends here (no more will come), so running out is a syntax error. */
  constructor(
    readonly text: string,
    start = 0,
    readonly final = true,
  ) {
    this.pos = start;
  }

  private end(what: string): never {
    if (!this.final) throw NEED_MORE;
    throw new JsonSyntaxError(this.pos, `the text ends inside ${what}`);
  }

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(at, message);
  }

  ws(): void {
    const t = this.text;
    let i = this.pos;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  /** The next non-space character, without taking it ('' at the end of the window). */
  peek(): string {
    this.ws();
    return this.text[this.pos] ?? '';
  }

  expect(ch: string, what: string): void {
    const c = this.peek();
    if (c === '') this.end(what);
    if (c !== ch) this.fail(`expected "${ch}" ${what}, found ${describe(c)}`);
    this.pos++;
  }

  string(): string {
    const t = this.text;
    const start = this.pos;
    if (t[start] !== '"') this.fail(`expected a string, found ${describe(t[start] ?? '')}`);
    let i = start + 1;
    let out = '';
    let from = i;
    // Each search is redone only once passed, so a long string with many escapes is read in one sweep.
    let q = -2;
    let b = -2;
    for (;;) {
      if (q !== -1 && q < i) q = t.indexOf('"', i);
      if (b !== -1 && b < i) b = t.indexOf('\\', i);
      if (q < 0 && b < 0) this.end('a string');
      if (b >= 0 && (q < 0 || b < q)) {
        out += t.slice(from, b);
        const e = t[b + 1];
        if (e === undefined) this.end('a string');
        if (e === 'u') {
          const hex = t.slice(b + 2, b + 6);
          if (hex.length < 4 && !this.final) throw NEED_MORE;
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('a \\u escape needs four hex digits', b);
          out += String.fromCharCode(parseInt(hex, 16));
          i = from = b + 6;
        } else {
          const ch = ESCAPES[e];
          if (ch === undefined) this.fail(`"\\${e}" is not a JSON escape`, b);
          out += ch;
          i = from = b + 2;
        }
        continue;
      }
      const part = t.slice(from, q);
      // eslint-disable-next-line no-control-regex
      const ctl = /[\u0000-\u001f]/.exec(part);
      if (ctl) this.fail('a control character (such as a line break) inside a string must be escaped', from + ctl.index);
      out += part;
      this.pos = q + 1;
      return out;
    }
  }

  /** Any JSON value, as JSON.parse would give it. */
  value(depth = 0): unknown {
    const c = this.peek();
    if (c === '') this.end('a value');
    if (c === '"') return this.string();
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) this.fail('nested too deeply');
      return c === '{' ? this.object(depth) : this.array(depth);
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = this.pos;
      const m = NUMBER.exec(this.text);
      if (!m) this.fail('not a number');
      if (!this.final && NUMBER.lastIndex >= this.text.length) throw NEED_MORE;
      this.pos = NUMBER.lastIndex;
      return Number(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
      if (!this.final && this.text.length - this.pos < word.length && word.startsWith(this.text.slice(this.pos))) throw NEED_MORE;
    }
    return this.fail(`unexpected ${describe(c)}`);
  }

  private object(depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    if (this.peek() === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.peek() === '') this.end('an object');
      const name = this.string();
      this.expect(':', 'after a name');
      out[name] = this.value(depth + 1);
      const c = this.peek();
      if (c === '') this.end('an object');
      this.pos++;
      if (c === '}') return out;
      if (c !== ',') this.fail(`expected "," or "}", found ${describe(c)}`, this.pos - 1);
    }
  }

  private array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    if (this.peek() === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      const c = this.peek();
      if (c === '') this.end('an array');
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') this.fail(`expected "," or "]", found ${describe(c)}`, this.pos - 1);
    }
  }
}

export function describe(c: string): string {
  if (c === '') return 'the end of the text';
  const code = c.charCodeAt(0);
  return code < 0x20 ? `character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `"${c}"`;
}

/** The kind of a JSON value as a user reads it in a message. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'a string';
}
