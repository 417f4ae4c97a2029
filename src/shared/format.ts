/*
 * Text a user reads for TTLs and sizes, and the JSON sniff that picks an editor's language: one form for the
 * tree, the palette, the hash editor and its webview. No vscode, no DOM, no Node: both bundles import it.
 */

/** Remaining time: "42s", "5m 3s", "2h 10m", "3d 4h" (two units at most); -1 "no TTL", other negatives "expired". */
export function formatTtl(seconds: number): string {
  if (seconds === -1) return 'no TTL';
  if (seconds < 0) return 'expired';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return twoUnits(Math.floor(s / 60), 'm', s % 60, 's');
  if (s < 86400) return twoUnits(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'm');
  return twoUnits(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

function twoUnits(a: number, unitA: string, b: number, unitB: string): string {
  return b === 0 ? `${a}${unitA}` : `${a}${unitA} ${b}${unitB}`;
}

/** A size in bytes: "512 B", "1.5 KB", "12.0 MB" (1 KB = 1,024 bytes). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON's own white space: space, tab, LF, CR (JSON.parse refuses any other before a value). */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Whether a value is a JSON object or array (what gets the JSON language or view): text, or bytes that must
 * be valid UTF-8. Anything not starting with `{` or `[` is refused before it is decoded or parsed.
 */
export function looksLikeJson(value: string | Uint8Array): boolean {
  const isText = typeof value === 'string';
  let i = 0;
  while (i < value.length && isJsonSpace(isText ? value.charCodeAt(i) : value[i])) i++;
  const first = isText ? value.charCodeAt(i) : value[i];
  if (first !== 0x7b && first !== 0x5b) return false;
  try {
    JSON.parse(isText ? value : utf8.decode(value));
    return true;
  } catch {
    return false;
  }
}
