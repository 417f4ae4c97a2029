import { isUtf8 } from 'node:buffer';
import { preview, toDisplay } from './codec';
import type { DisplayValue } from '../shared/protocol';

/* How the editor shows bytes that may be only a prefix of a value (the store keeps 64 KB of a big one). */

/** The display form of a value that may be only a prefix: a UTF-8 sequence cut at the end does not make it binary. */
export function displayOf(buf: Buffer, truncated: boolean): DisplayValue {
  if (!truncated) return toDisplay(buf);
  const n = utf8PrefixLength(buf);
  return n < 0 ? toDisplay(buf) : { text: buf.toString('utf8', 0, n), utf8: true };
}

/** Whether a prefix of a value is UTF-8 text, allowing a sequence cut at the end (no string is made). */
export function isUtf8Prefix(buf: Buffer): boolean {
  return utf8PrefixLength(buf) >= 0;
}

/** How many bytes of `buf` are valid UTF-8 once a sequence cut at the end is dropped; -1 when it is not text. */
function utf8PrefixLength(buf: Buffer): number {
  if (isUtf8(buf)) return buf.length;
  for (let cut = 1; cut <= 3 && cut < buf.length; cut++) if (isUtf8(buf.subarray(0, buf.length - cut))) return buf.length - cut;
  return -1;
}

const ESCAPED = Array.from({ length: 256 }, (_, b) => (b === 0x5c ? '\\\\' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`));

/**
 * The core's `preview` of a value, faster for short binary ones (compressed values): escapes only the bytes
 * the preview shows, from a table, instead of the first `max` bytes one concatenation at a time. Same text.
 */
export function rowPreview(buf: Buffer, max: number): string {
  if (buf.length > max * 4 || isUtf8(buf)) return preview(buf, max);
  const end = Math.min(max, buf.length);
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; i < end && len <= max; i++) {
    const s = ESCAPED[buf[i]];
    parts.push(s);
    len += s.length;
  }
  const text = parts.join('');
  return text.length > max ? text.slice(0, max) + '…' : text;
}

const NEWLINE = 0x0a;

/**
 * A row's one-line preview in the table: `rowPreview`, except that the line breaks of a text value show as
 * " ↵ " (not as "\n", which reads like a backslash and an n stored in the value).
 */
export function tablePreview(buf: Buffer, max: number): string {
  const head = buf.subarray(0, max * 4);
  if (head.indexOf(NEWLINE) < 0) return rowPreview(buf, max);
  const n = buf.length > head.length ? utf8PrefixLength(head) : isUtf8(head) ? head.length : -1;
  if (n < 0) return rowPreview(buf, max);
  const text = head
    .toString('utf8', 0, n)
    .replace(/\r?\n/g, ' ↵ ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')));
  return text.length > max || buf.length > head.length ? text.slice(0, max) + '…' : text;
}
