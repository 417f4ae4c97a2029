import { gunzipSync } from 'node:zlib';
import type { Fitted, Limits, Transform } from './types';
import { deflateOptions, gzipMember, inflateFailure, levelCandidates, search } from './zlibCommon';

/** Length of a gzip member's header (the optional name, comment, extra and header CRC included), or -1. */
function headerLength(b: Buffer): number {
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return -1;
  const flg = b[3];
  let i = 10;
  if (flg & 4) i += 2 + b.readUInt16LE(i);
  if (flg & 8) i = b.indexOf(0, i) + 1;
  if (flg & 16) i = b.indexOf(0, i) + 1;
  if (flg & 2) i += 2;
  return i > 0 && i <= b.length ? i : -1;
}

export const gzip: Transform = {
  name: 'gzip',
  magic: (b) => b.length >= 18 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8,
  decode(b: Buffer, limits: Limits): Buffer {
    try {
      return gunzipSync(b, { maxOutputLength: limits.maxOutput });
    } catch (err) {
      throw inflateFailure('gzip', err, limits.maxOutput);
    }
  },
  /**
   * The same header bytes (time stamp, OS, name) and the compression level that gives back the same
   * deflate stream; the header's XFL byte says which levels to try first.
   */
  fit(plain: Buffer, original: Buffer): Fitted {
    const head = headerLength(original);
    if (head < 0) return { reason: 'its gzip header cannot be read' };
    const xfl = original[8];
    const levels = levelCandidates(xfl === 2 ? [9] : xfl === 4 ? [1] : [6, 5, 4, 3, 2, 7, 8]);
    const header = original.subarray(0, head);
    return search('gzip', plain, original, deflateOptions(levels), (o) => (p) => gzipMember(header, p, o));
  },
};
