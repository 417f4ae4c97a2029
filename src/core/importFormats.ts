import { createReadStream } from 'node:fs';
import { RedisExplorerError } from './errors';
import { JsonReader, JsonSyntaxError, NEED_MORE, describe, kindOf } from './jsonReader';
import { maxFieldTtlSeconds } from '../shared/fieldTtl';

/*
 * Reading an import: JSON (one object), NDJSON (one object per line) or CSV (a header, then rows), from
 * chunks of any size, so a 2 GB file is read as a stream and never held whole. Each field comes out as
 * bytes (text as UTF-8, or base64 where marked, see exportFormats.ts) with the line it started on. Bad
 * input stops the read with the line and column in words.
 *
 * Longer than 400 lines: the three readers share the error, line-and-column, base64 and TTL helpers; split by
 * format, each file would import them back from here.
 */

export type ImportFormat = 'json' | 'ndjson' | 'csv';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['json', 'ndjson', 'csv'];

export interface ImportRow {
  field: Buffer;
  value: Buffer;
  /** field TTL in seconds; 0: none */
  ttl: number;
  line: number;
}

/** Where an import's text comes from; called once per pass (an import reads its input twice). */
export type ChunkSource = () => AsyncIterable<Buffer | string>;

/**
 * A file read with Node streams: VS Code's file system API reads a file only whole, which a 2 GB
 * import cannot afford; a file: URI is a local path in the extension host.
 */
export function fileSource(path: string): ChunkSource {
  return () => createReadStream(path, { highWaterMark: 1 << 20 });
}

export function textSource(text: string): ChunkSource {
  return async function* () {
    yield text;
  };
}

function importError(line: number, column: number | undefined, message: string): RedisExplorerError {
  return new RedisExplorerError('INVALID', `Line ${line}${column ? `, column ${column}` : ''}: ${message}. Nothing was written.`);
}

/** UTF-8 text from byte chunks; bytes that are not UTF-8 are refused (they would silently change). */
async function* decode(source: ChunkSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let bytes = 0;
  for await (const chunk of source()) {
    if (typeof chunk === 'string') {
      yield bytes++ === 0 && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      continue;
    }
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw new RedisExplorerError('INVALID', `The input is not UTF-8 text (bad bytes within the ${(bytes + chunk.length).toLocaleString('en-US')} bytes read so far). Nothing was written.`);
    }
    bytes += chunk.length;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new RedisExplorerError('INVALID', 'The input ends in the middle of a UTF-8 character. Nothing was written.');
  }
}

/** Line and column of offsets into a stream of text, asked in increasing order (one sweep in all). */
class Lines {
  private counted = 0;
  line = 1;
  private lineStart = 0;

  /** `text` holds the stream's characters from offset `base` on. */
  advance(text: string, base: number, to: number): void {
    let i = this.counted - base;
    const end = to - base;
    for (;;) {
      const n = text.indexOf('\n', i);
      if (n < 0 || n >= end) break;
      this.line++;
      this.lineStart = base + n + 1;
      i = n + 1;
    }
    this.counted = Math.max(this.counted, to);
  }

  column(offset: number): number {
    return offset - this.lineStart + 1;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(text: string, what: string, line: number, column?: number): Buffer {
  if (!BASE64.test(text)) throw importError(line, column, `${what} is not valid base64`);
  return Buffer.from(text, 'base64');
}

function ttlOf(v: unknown, line: number, column?: number): number {
  if (v === undefined || v === null || v === '' || v === 0 || v === -1) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw importError(line, column, `a TTL must be a whole number of seconds (0 or -1 for none), not ${typeof v === 'string' ? `"${v}"` : kindOf(v)}`);
  if (n > maxFieldTtlSeconds()) throw importError(line, column, `a TTL can be at most ${maxFieldTtlSeconds().toLocaleString('en-US')} seconds`);
  return n;
}

function shortName(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** A JSON member's value: a string, or `{ "value" | "base64", "fieldBase64"?, "ttl"? }`. */
function jsonMember(name: string, v: unknown, line: number, column: number): ImportRow {
  if (typeof v === 'string') return { field: Buffer.from(name, 'utf8'), value: Buffer.from(v, 'utf8'), ttl: 0, line };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw importError(line, column, `the value of field "${shortName(name)}" is ${kindOf(v)}; a value must be a string or { "base64": "…" }`);
  }
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !['value', 'base64', 'fieldBase64', 'ttl'].includes(k));
  if (extra !== undefined) throw importError(line, column, `the value of field "${shortName(name)}" has an unknown member "${shortName(extra)}" (it may have "value" or "base64", "fieldBase64", "ttl")`);
  return { ...valueAndName(o, 'value', Buffer.from(name, 'utf8'), line, column), ttl: ttlOf(o.ttl, line, column), line };
}

/** The value (`value` text or `base64`) and, when marked, the name (`fieldBase64`) of an object. */
function valueAndName(o: Record<string, unknown>, textProp: string, name: Buffer | undefined, line: number, column?: number): { field: Buffer; value: Buffer } {
  let field = name;
  if (o.fieldBase64 !== undefined) {
    if (typeof o.fieldBase64 !== 'string') throw importError(line, column, `"fieldBase64" is ${kindOf(o.fieldBase64)}, not a string`);
    field = base64(o.fieldBase64, '"fieldBase64"', line, column);
  }
  if (!field) throw importError(line, column, 'a row needs "field" (text) or "fieldBase64"');
  const text = o[textProp];
  if ((text === undefined) === (o.base64 === undefined)) throw importError(line, column, `a row needs exactly one of "${textProp}" (text) or "base64"`);
  if (text !== undefined) {
    if (typeof text !== 'string') throw importError(line, column, `the value is ${kindOf(text)}; a value must be a string or { "base64": "…" }`);
    return { field, value: Buffer.from(text, 'utf8') };
  }
  if (typeof o.base64 !== 'string') throw importError(line, column, `"base64" is ${kindOf(o.base64)}, not a string`);
  return { field, value: base64(o.base64, '"base64"', line, column) };
}

type JsonState = 'start' | 'first' | 'member' | 'after' | 'done';

/** One JSON object `{ "field": value, … }`, read member by member from a window over the text. */
async function* jsonRows(texts: AsyncGenerator<string>): AsyncGenerator<ImportRow[]> {
  let buf = '';
  let base = 0;
  let eof = false;
  let state: JsonState = 'start';
  const lines = new Lines();
  for (;;) {
    const out: ImportRow[] = [];
    const r = new JsonReader(buf, 0, eof);
    let committed = 0;
    try {
      for (;;) {
        const c = r.peek();
        if (state === 'done') {
          if (c !== '') r.fail(`unexpected ${describe(c)} after the end of the object`);
          if (!eof) throw NEED_MORE;
          if (out.length) yield out;
          return;
        }
        if (c === '') {
          if (!eof) throw NEED_MORE;
          if (state === 'start') r.fail('the input is empty; a JSON import is one object { "field": "value", … }');
          r.fail('the text ends inside the object');
        }
        if (state === 'start') {
          if (c !== '{') r.fail(`a JSON import is one object { "field": "value", … }; found ${describe(c)}`);
          r.pos++;
          state = 'first';
        } else if (state === 'after' || (state === 'first' && c === '}')) {
          r.pos++;
          if (c === '}') state = 'done';
          else if (c === ',') state = 'member';
          else r.fail(`expected "," or "}" after a field, found ${describe(c)}`, r.pos - 1);
        } else {
          if (c !== '"') r.fail(`expected a field name in double quotes, found ${describe(c)}`);
          const at = r.pos;
          const name = r.string();
          r.expect(':', 'after a field name');
          const v = r.value();
          lines.advance(buf, base, base + at);
          out.push(jsonMember(name, v, lines.line, lines.column(base + at)));
          state = 'after';
        }
        committed = r.pos;
      }
    } catch (err) {
      if (err instanceof JsonSyntaxError) {
        lines.advance(buf, base, base + err.offset);
        throw importError(lines.line, lines.column(base + err.offset), err.message);
      }
      if (err !== NEED_MORE) throw err;
    }
    if (out.length) yield out;
    lines.advance(buf, base, base + committed);
    buf = buf.slice(committed);
    base += committed;
    // Read until the window has at least doubled: a value longer than a chunk is re-read a few times, not once per chunk.
    const want = Math.max(1, buf.length);
    let got = 0;
    while (got < want) {
      const next = await texts.next();
      if (next.done) {
        eof = true;
        break;
      }
      buf += next.value;
      got += next.value.length;
    }
  }
}

const NDJSON_PROPS = ['field', 'fieldBase64', 'value', 'base64', 'ttl'];

function ndjsonLine(text: string, line: number): ImportRow {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    const r = new JsonReader(text);
    try {
      r.value();
      r.ws();
      r.fail(`unexpected ${describe(text[r.pos] ?? '')} after the object (one object per line)`);
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw importError(line, err.offset + 1, err.message);
      throw err;
    }
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw importError(line, 1, `each line is one object { "field": …, "value": … }, not ${kindOf(v)}`);
  const o = v as Record<string, unknown>;
  // The usual line, { "field": text, "value": text }, without the general checks below (a million lines add up).
  let members = 0;
  for (const k in o) members += k === 'field' || k === 'value' ? 1 : 3;
  if (members === 2 && typeof o.field === 'string' && typeof o.value === 'string') return { field: Buffer.from(o.field, 'utf8'), value: Buffer.from(o.value, 'utf8'), ttl: 0, line };
  const extra = Object.keys(o).find((k) => !NDJSON_PROPS.includes(k));
  if (extra !== undefined) throw importError(line, 1, `unknown member "${shortName(extra)}" (a line has "field" or "fieldBase64", "value" or "base64", and "ttl")`);
  if (o.field !== undefined && typeof o.field !== 'string') throw importError(line, 1, `"field" is ${kindOf(o.field)}, not a string`);
  if ((o.field === undefined) === (o.fieldBase64 === undefined)) throw importError(line, 1, 'a line needs exactly one of "field" (text) or "fieldBase64"');
  const name = typeof o.field === 'string' ? Buffer.from(o.field, 'utf8') : undefined;
  return { ...valueAndName(o, 'value', name, line, 1), ttl: ttlOf(o.ttl, line, 1), line };
}

async function* ndjsonRows(texts: AsyncGenerator<string>): AsyncGenerator<ImportRow[]> {
  let rest = '';
  let line = 0;
  const take = (text: string, out: ImportRow[]) => {
    line++;
    const t = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    if (t.charCodeAt(0) === 0x7b /* { */ || t.trim() !== '') out.push(ndjsonLine(t, line));
  };
  for await (const chunk of texts) {
    const out: ImportRow[] = [];
    let from = 0;
    const text = rest + chunk;
    for (let n = text.indexOf('\n'); n >= 0; n = text.indexOf('\n', from)) {
      take(text.slice(from, n), out);
      from = n + 1;
    }
    rest = text.slice(from);
    if (out.length) yield out;
  }
  const out: ImportRow[] = [];
  if (rest) take(rest, out);
  if (out.length) yield out;
}

const CSV_COLUMNS = ['field', 'value', 'ttl', 'encoding'];

/** RFC 4180 records (quoted cells may hold commas, quotes doubled, line breaks), with their first line. */
async function* csvRecords(texts: AsyncGenerator<string>): AsyncGenerator<Array<{ cells: string[]; line: number }>> {
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let col = 0;
  let recordLine = 1;
  let openLine = 0;
  let openCol = 0;
  let any = false;
  for await (const text of texts) {
    const out: Array<{ cells: string[]; line: number }> = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      col++;
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          cell += c;
          if (c === '\n') {
            line++;
            col = 0;
          }
        }
        continue;
      }
      if (c === '"') {
        if (afterQuote) {
          cell += '"';
          quoted = true;
          afterQuote = false;
        } else if (cell === '' && !any) {
          quoted = true;
          any = true;
          openLine = line;
          openCol = col;
        } else throw importError(line, col, 'a quote inside a cell that does not start with one (quote the whole cell and double the quote)');
        continue;
      }
      if (c === ',') {
        cells.push(cell);
        cell = '';
        any = afterQuote = false;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] !== '\n' && i + 1 < text.length) throw importError(line, col, 'a carriage return alone; lines end with LF or CRLF');
        if (c === '\n') {
          cells.push(cell);
          if (!(cells.length === 1 && cells[0] === '' && !any)) out.push({ cells, line: recordLine });
          cells = [];
          cell = '';
          any = afterQuote = false;
          line++;
          col = 0;
          recordLine = line;
        }
      } else {
        if (afterQuote) throw importError(line, col, `${describe(c)} after a closing quote (a quoted cell ends at a comma or a line end)`);
        // Unquoted text up to the next delimiter in one slice.
        let j = i + 1;
        while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r' && text[j] !== '"') j++;
        cell += text.slice(i, j);
        col += j - i - 1;
        i = j - 1;
        any = true;
      }
    }
    if (out.length) yield out;
  }
  if (quoted) throw importError(openLine, openCol, 'a quoted cell that never ends');
  cells.push(cell);
  if (!(cells.length === 1 && cells[0] === '' && !any)) yield [{ cells, line: recordLine }];
}

async function* csvRows(texts: AsyncGenerator<string>): AsyncGenerator<ImportRow[]> {
  let columns: Record<string, number> | undefined;
  let width = 0;
  for await (const records of csvRecords(texts)) {
    const out: ImportRow[] = [];
    for (const { cells, line } of records) {
      if (!columns) {
        columns = {};
        for (const [i, raw] of cells.entries()) {
          const name = raw.trim().toLowerCase();
          if (!CSV_COLUMNS.includes(name)) throw importError(line, undefined, `unknown column "${shortName(raw)}" in the header (the columns are ${CSV_COLUMNS.join(', ')}; field and value are needed)`);
          if (name in columns) throw importError(line, undefined, `the column "${name}" appears twice in the header`);
          columns[name] = i;
        }
        if (columns.field === undefined || columns.value === undefined) throw importError(line, undefined, 'the header must name the columns "field" and "value"');
        width = cells.length;
        continue;
      }
      if (cells.length !== width) throw importError(line, undefined, `${cells.length} cells where the header has ${width}`);
      const encoding = columns.encoding === undefined ? '' : cells[columns.encoding];
      if (encoding !== '' && encoding !== 'base64') throw importError(line, undefined, `unknown encoding "${shortName(encoding)}" (empty for text, or base64)`);
      const bytes = (text: string, what: string) => (encoding === 'base64' ? base64(text, what, line) : Buffer.from(text, 'utf8'));
      out.push({ field: bytes(cells[columns.field], 'the field'), value: bytes(cells[columns.value], 'the value'), ttl: columns.ttl === undefined ? 0 : ttlOf(cells[columns.ttl], line), line });
    }
    if (out.length) yield out;
  }
  if (!columns) throw new RedisExplorerError('INVALID', 'The input is empty; a CSV import starts with a header line such as "field,value". Nothing was written.');
}

/**
 * The rows of an input, in pages, each field once: a field that appears twice is refused (naming both
 * lines), so an import never depends on which of two values wins. Remembering every name costs about
 * 50 bytes of memory per field beside the name. `checkDuplicates` false: a second read of input already checked.
 */
export async function* readRows(source: ChunkSource, format: ImportFormat, checkDuplicates = true): AsyncGenerator<ImportRow[]> {
  const texts = decode(source);
  const pages = format === 'json' ? jsonRows(texts) : format === 'ndjson' ? ndjsonRows(texts) : csvRows(texts);
  const seen = new Map<string, number>();
  for await (const page of pages) {
    if (checkDuplicates) for (const row of page) {
      const id = row.field.toString('latin1');
      const first = seen.get(id);
      if (first !== undefined) throw importError(row.line, undefined, `the field "${shortName(row.field.toString('utf8'))}" appears twice (first on line ${first})`);
      seen.set(id, row.line);
    }
    yield page;
  }
}

/** The format a file name suggests, or undefined. */
export function formatOfName(name: string): ImportFormat | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'csv') return 'csv';
  return undefined;
}
