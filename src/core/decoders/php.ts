import { isUtf8 } from 'node:buffer';
import { DecodeError } from './types';
import type { Format } from './types';
import { MAX_DEPTH } from './limits';
import { parseJson } from './json';

/*
 * PHP serialize(), read and written here: the npm packages for it turn integer array keys into strings
 * (`i:0` comes back as `s:1:"0"`), so no value would survive a save byte for byte. Arrays are shown as
 * JSON arrays when their keys are 0..n-1, else as objects (PHP itself turns a numeric string key into an
 * integer, so that is what a save writes); objects carry their class as "__class"; strings that are not
 * UTF-8 as {"$base64": "..."}. References (r:, R:) and custom serialization (C:) are not read.
 */

type PhpValue = null | boolean | number | string | Uint8Array | PhpArray | PhpObject;
interface PhpArray {
  kind: 'array';
  entries: Array<[number | string, PhpValue]>;
}
interface PhpObject {
  kind: 'object';
  cls: string;
  entries: Array<[number | string, PhpValue]>;
}

class Reader {
  at = 0;
  constructor(private readonly b: Buffer) {}
  fail(what: string): never {
    throw new DecodeError(`This is not a PHP serialized value (${what} at byte ${this.at}).`);
  }
  until(ch: string): string {
    const end = this.b.indexOf(ch, this.at, 'latin1');
    if (end < 0) this.fail(`no "${ch}"`);
    const s = this.b.toString('latin1', this.at, end);
    this.at = end + 1;
    return s;
  }
  expect(s: string): void {
    if (this.b.toString('latin1', this.at, this.at + s.length) !== s) this.fail(`"${s}" expected`);
    this.at += s.length;
  }
  int(ch: string): number {
    const s = this.until(ch);
    if (!/^-?\d+$/.test(s)) this.fail('bad number');
    return Number(s);
  }
  bytes(n: number): Buffer {
    if (n < 0 || this.at + n > this.b.length) this.fail('string runs past the end');
    const s = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return s;
  }
  value(depth: number): PhpValue {
    if (depth > MAX_DEPTH) throw new DecodeError(`This PHP value is nested more than ${MAX_DEPTH} levels deep; shown raw.`);
    const type = this.b.toString('latin1', this.at, this.at + 2);
    this.at += 2;
    switch (type) {
      case 'N;':
        return null;
      case 'b:':
        return this.int(';') !== 0;
      case 'i:':
        return this.int(';');
      case 'd:': {
        const s = this.until(';');
        const n = s === 'INF' ? Infinity : s === '-INF' ? -Infinity : s === 'NAN' ? NaN : Number(s);
        if (Number.isNaN(n) && s !== 'NAN') this.fail('bad float');
        return n;
      }
      case 's:': {
        const n = this.int(':');
        this.expect('"');
        const raw = this.bytes(n);
        this.expect('";');
        return isUtf8(raw) ? raw.toString('utf8') : new Uint8Array(raw);
      }
      case 'a:':
        return { kind: 'array', entries: this.entries(depth) };
      case 'O:': {
        const n = this.int(':');
        this.expect('"');
        const cls = this.bytes(n).toString('utf8');
        this.expect('":');
        return { kind: 'object', cls, entries: this.entries(depth) };
      }
      default:
        return this.fail(type === 'r:' || type === 'R:' || type === 'C:' ? `"${type}" (references and custom serialization are not supported)` : 'unknown type');
    }
  }
  entries(depth: number): Array<[number | string, PhpValue]> {
    const n = this.int(':');
    this.expect('{');
    const out: Array<[number | string, PhpValue]> = [];
    for (let i = 0; i < n; i++) {
      const k = this.value(depth + 1);
      if (typeof k !== 'number' && typeof k !== 'string') this.fail('bad array key');
      out.push([k, this.value(depth + 1)]);
    }
    this.expect('}');
    return out;
  }
}

function phpUnserialize(b: Buffer): PhpValue {
  const r = new Reader(b);
  const v = r.value(0);
  if (r.at !== b.length) r.fail('extra bytes after the value');
  return v;
}

function phpFloat(n: number): string {
  if (Number.isNaN(n)) return 'NAN';
  if (!Number.isFinite(n)) return n > 0 ? 'INF' : '-INF';
  // PHP (serialize_precision -1) writes the shortest round-trip form, with E+ for big exponents
  return String(n).replace('e+', 'E+').replace('e-', 'E-');
}

function str(s: string | Uint8Array): Buffer[] {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
  return [Buffer.from(`s:${b.length}:"`, 'latin1'), b, Buffer.from('";', 'latin1')];
}

function phpSerialize(v: PhpValue): Buffer {
  const out: Buffer[] = [];
  const put = (x: PhpValue): void => {
    if (x === null) out.push(Buffer.from('N;'));
    else if (typeof x === 'boolean') out.push(Buffer.from(`b:${x ? 1 : 0};`));
    else if (typeof x === 'number') out.push(Buffer.from(Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER ? `i:${x};` : `d:${phpFloat(x)};`));
    else if (typeof x === 'string' || x instanceof Uint8Array) out.push(...str(x));
    else {
      const cls = x.kind === 'object' ? Buffer.from(x.cls, 'utf8') : undefined;
      out.push(Buffer.from(cls ? `O:${cls.length}:"` : `a:${x.entries.length}:{`, 'latin1'));
      if (cls) out.push(cls, Buffer.from(`":${x.entries.length}:{`, 'latin1'));
      for (const [k, val] of x.entries) {
        put(k);
        put(val);
      }
      out.push(Buffer.from('}'));
    }
  };
  put(v);
  return Buffer.concat(out);
}

/** The JSON form: arrays with keys 0..n-1 as JSON arrays, others as objects; objects with "__class". */
function phpToJson(v: PhpValue): unknown {
  if (v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? { $float: phpFloat(v) } : v;
  if (v.kind === 'array' && v.entries.every(([k], i) => k === i)) return v.entries.map(([, x]) => phpToJson(x));
  const o: Record<string, unknown> = v.kind === 'object' ? { __class: v.cls } : {};
  for (const [k, x] of v.entries) o[String(k)] = phpToJson(x);
  // a JavaScript object lists integer keys first: keep another order (or a key "__class") as pairs
  const keys = Object.keys(o).filter((k) => v.kind === 'array' || k !== '__class');
  if (keys.length === v.entries.length && keys.every((k, i) => k === String(v.entries[i][0]))) return o;
  const pairs = v.entries.map(([k, x]) => [k, phpToJson(x)]);
  return v.kind === 'object' ? { __class: v.cls, $pairs: pairs } : { $pairs: pairs };
}

const INT_KEY = /^(0|-?[1-9]\d{0,17})$/;

function phpFromJson(j: unknown): PhpValue {
  if (j === null || typeof j === 'boolean' || typeof j === 'number' || typeof j === 'string') return j;
  if (Array.isArray(j)) return { kind: 'array', entries: j.map((x, i) => [i, phpFromJson(x)]) };
  const o = j as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$base64 === 'string') return new Uint8Array(Buffer.from(o.$base64, 'base64'));
  if (keys.length === 1 && typeof o.$float === 'string') return o.$float === 'NAN' ? NaN : o.$float === 'INF' ? Infinity : -Infinity;
  const entries: Array<[number | string, PhpValue]> = [];
  if (Array.isArray(o.$pairs)) {
    for (const p of o.$pairs as unknown[]) {
      if (!Array.isArray(p) || p.length !== 2 || (typeof p[0] !== 'string' && typeof p[0] !== 'number')) throw new DecodeError('Each "$pairs" entry must be [key, value].');
      entries.push([p[0], phpFromJson(p[1])]);
    }
    return typeof o.__class === 'string' ? { kind: 'object', cls: o.__class, entries } : { kind: 'array', entries };
  }
  for (const k of keys) {
    if (k === '__class' && typeof o.__class === 'string') continue;
    entries.push([INT_KEY.test(k) && Number.isSafeInteger(Number(k)) ? Number(k) : k, phpFromJson(o[k])]);
  }
  return typeof o.__class === 'string' ? { kind: 'object', cls: o.__class, entries } : { kind: 'array', entries };
}

export const php: Format = {
  name: 'php',
  detect(b) {
    if (!/^(a:\d+:\{|O:\d+:"|s:\d+:"|i:-?\d+;|b:[01];|d:[-\d.EINAF+]+;|N;)/.test(b.toString('latin1', 0, 24))) return false;
    try {
      phpUnserialize(b);
      return true;
    } catch {
      return false;
    }
  },
  decode(b) {
    const v = phpUnserialize(b);
    const form = phpToJson(v);
    return { text: JSON.stringify(form, null, 2), tree: form, encode: (t) => phpSerialize(phpFromJson(parseJson(t, 'The edited text'))) };
  },
};
