import { isUtf8 } from 'node:buffer';
import { escapeGlob } from './glob';

/*
 * A tree folder is a key prefix in bytes. SCAN MATCH takes a pattern as text, so a prefix that is not
 * UTF-8 is matched with `?` for each byte outside ASCII (Redis matches patterns byte by byte) and every
 * key is checked against the exact prefix here.
 */

/** A SCAN MATCH pattern that every key starting with `prefix` matches. */
export function prefixPattern(prefix: Buffer): string {
  if (isUtf8(prefix)) return escapeGlob(prefix.toString('utf8')) + '*';
  let out = '';
  for (const b of prefix) out += b < 0x80 ? escapeGlob(String.fromCharCode(b)) : '?';
  return out + '*';
}

export function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
}
