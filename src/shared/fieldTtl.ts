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

/** Remaining time as the TTL column shows it: "59 s", "12 m 5 s", "1 h 2 m", "3 d 4 h"; -1 "no TTL", -2 "expired". */
export function formatFieldTtl(seconds: number): string {
  if (seconds === -1) return 'no TTL';
  if (seconds < 0) return 'expired';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return two(Math.floor(s / 60), 'm', s % 60, 's');
  if (s < 86400) return two(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'm');
  return two(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

function two(a: number, unitA: string, b: number, unitB: string): string {
  return b === 0 ? `${a} ${unitA}` : `${a} ${unitA} ${b} ${unitB}`;
}
