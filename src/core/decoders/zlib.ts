import { inflateRawSync, inflateSync } from 'node:zlib';
import type { Fitted, Limits, Transform } from './types';
import { deflateOptions, inflateFailure, levelCandidates, rawDeflate, search, zlibDeflate } from './zlibCommon';

/** zlib stream (RFC 1950): CMF 0x78 (deflate, 32 KB window) and a header check that divides by 31. */
function zlibMagic(b: Buffer): boolean {
  return b.length >= 6 && (b[0] & 0x0f) === 8 && b[0] >> 4 <= 7 && ((b[0] << 8) | b[1]) % 31 === 0 && (b[1] & 0x20) === 0;
}

export const zlib: Transform = {
  name: 'zlib',
  magic: zlibMagic,
  decode(b: Buffer, limits: Limits): Buffer {
    try {
      return inflateSync(b, { maxOutputLength: limits.maxOutput });
    } catch (err) {
      throw inflateFailure('zlib', err, limits.maxOutput);
    }
  },
  /** The header's FLEVEL bits say which levels to try first; the window size comes from CMF. */
  fit(plain: Buffer, original: Buffer): Fitted {
    const windowBits = (original[0] >> 4) + 8;
    const flevel = original[1] >> 6;
    const first = [[1, 0], [5, 4, 3, 2], [6], [9, 7, 8]][flevel];
    return search('zlib', plain, original, deflateOptions(levelCandidates(first)), (o) => (p) => zlibDeflate(p, o, windowBits));
  },
};

/** Raw deflate (no header): never detected, chosen by the user or a setting. */
export const deflate: Transform = {
  name: 'deflate',
  decode(b: Buffer, limits: Limits): Buffer {
    try {
      return inflateRawSync(b, { maxOutputLength: limits.maxOutput });
    } catch (err) {
      throw inflateFailure('deflate', err, limits.maxOutput);
    }
  },
  fit: (plain, original) => search('deflate', plain, original, deflateOptions(levelCandidates([6])), (o) => (p) => rawDeflate(p, o)),
};
