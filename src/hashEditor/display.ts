import { isUtf8 } from 'node:buffer';
import { toDisplay } from '../core/codec';
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
