/*
 * Field TTL text rules both sides of the hash editor use: the webview checks what a user types before
 * it sends anything, the extension checks again (src/core/fieldTtl.ts is the last guard before Redis).
 * No vscode, no DOM, no Node: plain functions.
 */

/** Redis keeps field expiry times below 2^48 ms; a TTL past that is refused by the server. */
const EXPIRY_LIMIT_MS = 2 ** 48 - 1;

/** The largest TTL in seconds a field can get now. */
export function maxFieldTtlSeconds(now = Date.now()): number {
  return Math.floor((EXPIRY_LIMIT_MS - now) / 1000) - 1;
}

/**
 * What a user typed for a field TTL: a whole number of seconds, or empty / 0 / -1 for "no TTL"
 * (returned as 0). Anything else gets a message that says what is accepted.
 */
export function parseFieldTtlText(text: string, now = Date.now()): { seconds: number } | { error: string } {
  const t = text.trim();
  if (t === '' || t === '0' || t === '-1') return { seconds: 0 };
  if (!/^\d+$/.test(t)) return { error: 'A whole number of seconds (empty, 0 or -1 removes the TTL).' };
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: 'A field TTL must be a whole number of seconds.' };
  if (n <= 0) return { error: 'A field TTL must be greater than 0 seconds (0 or -1 removes it).' };
  const max = maxFieldTtlSeconds(now);
  if (n > max) return { error: `A field TTL can be at most ${max.toLocaleString('en-US')} seconds.` };
  return { seconds: n };
}
