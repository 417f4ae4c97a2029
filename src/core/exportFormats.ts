import { isUtf8 } from 'node:buffer';
import { escapeBytes } from './codec';

/*
 * The text of an export, one page of fields at a time, so an export of any size is written in
 * chunks and never held whole. Every format round-trips bytes: text that is valid UTF-8 is written
 * as text, anything else as base64 and marked as such (see README, "Export and import").
 */

export type ExportFormat = 'json' | 'ndjson' | 'csv' | 'redis';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'ndjson', 'csv', 'redis'];

/** One field as exported: `ttl` is the field's remaining TTL in seconds, 0 when it has none. */
export interface ExportRow {
  field: Buffer;
  value: Buffer;
  ttl: number;
}

/**
 * Writes keys and their fields in one format. `multi` (a folder's keys) adds the key to every row
 * (NDJSON, CSV) or nests each key's fields under its name (JSON).
 */
export interface Formatter {
  begin(): string;
  beginKey(key: Buffer): string;
  rows(key: Buffer, rows: ExportRow[]): string;
  /** `keyTtl`: the key's remaining TTL in seconds, 0 when none */
  endKey(key: Buffer, keyTtl: number): string;
  end(): string;
}

const json = (b: Buffer): string => JSON.stringify(b.toString('utf8'));
const b64 = (b: Buffer): string => JSON.stringify(b.toString('base64'));

function jsonFormatter(multi: boolean): Formatter {
  let keys = 0;
  let fieldsInKey = 0;
  const indent = multi ? '    ' : '  ';
  return {
    begin: () => '{',
    beginKey(key) {
      fieldsInKey = 0;
      // A key name that is not UTF-8 cannot be a JSON name: it is written escaped (\xNN), readable, not re-importable.
      return multi ? `${keys++ ? ',' : ''}\n  ${JSON.stringify(isUtf8(key) ? key.toString('utf8') : escapeBytes(key))}: {` : '';
    },
    rows(_key, rows) {
      let out = '';
      for (const r of rows) {
        const textName = isUtf8(r.field);
        const textValue = isUtf8(r.value);
        const name = textName ? json(r.field) : JSON.stringify(escapeBytes(r.field));
        let value: string;
        if (textName && textValue && r.ttl <= 0) value = json(r.value);
        else {
          const parts: string[] = [];
          if (!textName) parts.push(`"fieldBase64": ${b64(r.field)}`);
          parts.push(textValue ? `"value": ${json(r.value)}` : `"base64": ${b64(r.value)}`);
          if (r.ttl > 0) parts.push(`"ttl": ${r.ttl}`);
          value = `{ ${parts.join(', ')} }`;
        }
        out += `${fieldsInKey++ ? ',' : ''}\n${indent}${name}: ${value}`;
      }
      return out;
    },
    endKey: () => (multi ? (fieldsInKey ? '\n  }' : '}') : ''),
    end: () => (keys || fieldsInKey ? '\n}\n' : '}\n'),
  };
}

function ndjsonFormatter(multi: boolean): Formatter {
  let keyPart = '';
  return {
    begin: () => '',
    beginKey(key) {
      keyPart = multi ? (isUtf8(key) ? `"key":${json(key)},` : `"keyBase64":${b64(key)},`) : '';
      return '';
    },
    rows(_key, rows) {
      let out = '';
      for (const r of rows) {
        const name = isUtf8(r.field) ? `"field":${json(r.field)}` : `"fieldBase64":${b64(r.field)}`;
        const value = isUtf8(r.value) ? `"value":${json(r.value)}` : `"base64":${b64(r.value)}`;
        out += `{${keyPart}${name},${value}${r.ttl > 0 ? `,"ttl":${r.ttl}` : ''}}\n`;
      }
      return out;
    },
    endKey: () => '',
    end: () => '',
  };
}

/** RFC 4180: a cell with a comma, quote, CR or LF is quoted, quotes doubled. */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvFormatter(multi: boolean): Formatter {
  return {
    begin: () => (multi ? 'key,field,value,ttl,encoding\r\n' : 'field,value,ttl,encoding\r\n'),
    beginKey: () => '',
    rows(key, rows) {
      let out = '';
      const textKey = !multi || isUtf8(key);
      for (const r of rows) {
        // One row is text or base64 as a whole: the encoding cell says which.
        const text = textKey && isUtf8(r.field) && isUtf8(r.value);
        const cell = (b: Buffer) => (text ? csvCell(b.toString('utf8')) : b.toString('base64'));
        out += `${multi ? cell(key) + ',' : ''}${cell(r.field)},${cell(r.value)},${r.ttl > 0 ? r.ttl : ''},${text ? '' : 'base64'}\r\n`;
      }
      return out;
    },
    endKey: () => '',
    end: () => '',
  };
}

const REPR: Record<number, string> = { 0x5c: '\\\\', 0x22: '\\"', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x07: '\\a', 0x08: '\\b' };

/**
 * One argument quoted as redis-cli quotes (its sdscatrepr), which its own parser reads back byte for byte:
 * printable ASCII as is, `\\`, `\"`, `\n` and the like, and `\xNN` for every other byte.
 */
export function redisQuote(b: Buffer): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c >= 0x20 && c < 0x7f && c !== 0x5c && c !== 0x22) continue;
    out += b.toString('latin1', from, i) + (REPR[c] ?? '\\x' + c.toString(16).padStart(2, '0'));
    from = i + 1;
  }
  return out + b.toString('latin1', from) + '"';
}

/** Pairs per HSET line, and bytes: a line stays small enough for any client to replay. */
const HSET_PAIRS = 100;
const HSET_BYTES = 1 << 20;

function redisFormatter(): Formatter {
  return {
    begin: () => '',
    beginKey: () => '',
    rows(key, rows) {
      const k = redisQuote(key);
      let out = '';
      let line = '';
      let pairs = 0;
      for (const r of rows) {
        line += ' ' + redisQuote(r.field) + ' ' + redisQuote(r.value);
        if (++pairs >= HSET_PAIRS || line.length >= HSET_BYTES) {
          out += `HSET ${k}${line}\n`;
          line = '';
          pairs = 0;
        }
      }
      if (pairs) out += `HSET ${k}${line}\n`;
      for (const r of rows) if (r.ttl > 0) out += `HEXPIRE ${k} ${r.ttl} FIELDS 1 ${redisQuote(r.field)}\n`;
      return out;
    },
    endKey: (key, ttl) => (ttl > 0 ? `EXPIRE ${redisQuote(key)} ${ttl}\n` : ''),
    end: () => '',
  };
}

export function formatter(format: ExportFormat, multi = false): Formatter {
  switch (format) {
    case 'json':
      return jsonFormatter(multi);
    case 'ndjson':
      return ndjsonFormatter(multi);
    case 'csv':
      return csvFormatter(multi);
    case 'redis':
      return redisFormatter();
  }
}

/** The usual file name extension of a format. */
export function formatExtension(format: ExportFormat): string {
  return format === 'redis' ? 'redis' : format;
}
