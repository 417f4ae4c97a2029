/* Redis glob patterns (SCAN MATCH, HSCAN MATCH) on the client side, over bytes. */

import { globMatches } from '../shared/glob';

/**
 * Whether a key matches a Redis glob (`*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`), as SCAN MATCH
 * would decide: lets a view add a key a command created only when the active filter shows it.
 */
export function matchesGlob(pattern: string, key: Buffer): boolean {
  return globMatches(Buffer.from(pattern, 'utf8'), key);
}

/** Escapes glob metacharacters so a literal text can be used inside a MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => '\\' + c);
}
