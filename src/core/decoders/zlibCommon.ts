import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { DecodeError } from './types';
import type { Fitted } from './types';
import { tooBig } from './limits';

/** Values up to this size are re-compressed at every level to find the one used; bigger ones try the likely level only. */
const SEARCH_ALL_UP_TO = 4 * 1024 * 1024;

/** The levels to try: the likely ones first, then the rest of 0-9. */
export function levelCandidates(first: number[]): number[] {
  return [...first, ...[6, 9, 1, 5, 4, 3, 2, 7, 8, 0].filter((l) => !first.includes(l))];
}

/** Tries each option until one reproduces `original` from `plain`. */
export function search<T>(what: string, plain: Buffer, original: Buffer, options: T[], make: (o: T) => (p: Buffer) => Buffer): Fitted {
  const tries = plain.length > SEARCH_ALL_UP_TO ? options.slice(0, 1) : options;
  for (const o of tries) {
    const encode = make(o);
    if (encode(plain).equals(original)) return { encode };
  }
  return { reason: `compressing the unchanged value again does not give back the same ${what} bytes (it was written with options this editor cannot reproduce)` };
}

/** Node zlib's errors in our words: over the cap, truncated, or corrupt. */
export function inflateFailure(what: string, err: unknown, max: number): DecodeError {
  const e = err as { code?: string; message?: string };
  if (e.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return tooBig(`This ${what} value`, max);
  if (e.code === 'Z_BUF_ERROR') return new DecodeError(`This ${what} data is truncated (it ends before the compressed stream does).`);
  return new DecodeError(`This is not valid ${what} data (corrupt or another format).`);
}

/**
 * Deflate with Node's zlib at one level. Other zlib builds (Python's, PHP's) can give other bytes for the
 * same input and level; the round-trip check then refuses the decoded form rather than guess.
 */
interface DeflateOption {
  level: number;
}

export function deflateOptions(levels: number[]): DeflateOption[] {
  return levels.map((level) => ({ level }));
}

export function rawDeflate(p: Buffer, o: DeflateOption): Buffer {
  return deflateRawSync(p, { level: o.level });
}

export function zlibDeflate(p: Buffer, o: DeflateOption, windowBits: number): Buffer {
  return deflateSync(p, { level: o.level, windowBits });
}

/** A gzip member: the stored header as it was, the deflate stream, CRC-32 and length. */
export function gzipMember(header: Buffer, p: Buffer, o: DeflateOption): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(p) >>> 0, 0);
  trailer.writeUInt32LE(p.length >>> 0, 4);
  return Buffer.concat([header, rawDeflate(p, o), trailer]);
}
