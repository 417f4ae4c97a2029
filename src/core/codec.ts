import { isUtf8 } from 'node:buffer';

/**
 * How a Redis value is shown and edited. Valid UTF-8 is plain text; anything else is shown
 * escaped: printable ASCII as itself, `\\` for a backslash, `\xNN` for every other byte.
 * `decodeDisplay(encodeDisplay(b))` always gives back the same bytes.
 */
interface DisplayValue {
  text: string;
  /** false when `text` is the escaped form of bytes that are not UTF-8 */
  utf8: boolean;
}

const HEX = '0123456789abcdef';

export function escapeBytes(buf: Uint8Array): string {
  let out = '';
  for (const b of buf) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

export function unescapeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === '\\') {
        bytes.push(0x5c);
        i++;
        continue;
      }
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
        bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      throw new Error(`Invalid escape at position ${i}: use \\\\ for a backslash or \\xNN for a byte.`);
    }
    // Characters outside ASCII are taken as their UTF-8 bytes.
    const cp = text.codePointAt(i) ?? 0;
    if (cp > 0xffff) i++;
    bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
  }
  return Buffer.from(bytes);
}

export function toDisplay(buf: Buffer): DisplayValue {
  return isUtf8(buf) ? { text: buf.toString('utf8'), utf8: true } : { text: escapeBytes(buf), utf8: false };
}

export function fromDisplay(value: DisplayValue): Buffer {
  return value.utf8 ? Buffer.from(value.text, 'utf8') : unescapeBytes(value.text);
}

/**
 * A one-line preview: at most `max` characters, control characters escaped, non-UTF-8 escaped.
 * Reads at most a few bytes more than it shows, so a 10 MB value costs nothing here.
 */
export function preview(buf: Buffer, max = 80): string {
  const head = buf.subarray(0, max * 4);
  let text: string;
  if (isUtf8(buf.length > head.length ? trimPartialUtf8(head) : head)) {
    text = trimPartialUtf8(head).toString('utf8');
    // eslint-disable-next-line no-control-regex
    text = text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')));
  } else {
    text = escapeBytes(head.subarray(0, max));
  }
  const truncated = text.length > max || buf.length > head.length;
  return truncated ? text.slice(0, max) + '…' : text;
}

/** A key or field name in a message a user reads: at most 80 characters, escaped like a preview. */
export function nameForMessage(buf: Buffer): string {
  return preview(buf, 80);
}

/** Drops a UTF-8 sequence cut off at the end of a slice, so a prefix of valid text stays valid. */
function trimPartialUtf8(b: Buffer): Buffer {
  let end = b.length;
  let i = end - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (b[i] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i >= 0) {
    const lead = b[i];
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (need > back + 1) end = i;
  }
  return b.subarray(0, end);
}

