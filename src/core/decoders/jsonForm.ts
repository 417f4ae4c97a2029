/*
 * Decoded structures are edited as JSON. What JSON lacks is spelled as a one-key object: bytes as
 * {"$base64": "..."}, 64-bit integers beyond 2^53 as {"$bigint": "..."}; the encoders read them back.
 */

export function toJsonForm(v: unknown): unknown {
  if (v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), toJsonForm(x)]));
  if (v instanceof Set) return [...v].map(toJsonForm);
  if (Array.isArray(v)) return v.map(toJsonForm);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonForm(x)]));
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

export function fromJsonForm(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJsonForm);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const o = v as Record<string, unknown>;
    if (keys.length === 1 && keys[0] === '$base64' && typeof o.$base64 === 'string') return new Uint8Array(Buffer.from(o.$base64, 'base64'));
    if (keys.length === 1 && keys[0] === '$bigint' && typeof o.$bigint === 'string' && /^-?\d+$/.test(o.$bigint)) return BigInt(o.$bigint);
    return Object.fromEntries(keys.map((k) => [k, fromJsonForm(o[k])]));
  }
  return v;
}
