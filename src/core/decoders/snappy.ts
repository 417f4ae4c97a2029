import * as snappyjs from 'snappyjs';
import { DecodeError } from './types';
import type { Fitted, Limits, Transform } from './types';
import { tooBig } from './limits';

/** Raw Snappy blocks through snappyjs (pure JavaScript). No magic number: chosen by the user or a setting. */
export const snappy: Transform = {
  name: 'snappy',
  decode(b: Buffer, limits: Limits): Buffer {
    const declared = uncompressedLength(b);
    if (declared < 0) throw new DecodeError('This is not valid Snappy data.');
    if (declared > limits.maxOutput) throw tooBig('This Snappy value', limits.maxOutput);
    try {
      return Buffer.from(snappyjs.uncompress(b, limits.maxOutput));
    } catch {
      throw new DecodeError('This is not valid Snappy data (corrupt or truncated).');
    }
  },
  fit(plain: Buffer, original: Buffer): Fitted {
    const encode = (p: Buffer) => Buffer.from(snappyjs.compress(p));
    return encode(plain).equals(original) ? { encode } : { reason: 'compressing the unchanged value again does not give the same Snappy bytes (another compressor wrote it)' };
  },
};

/** The varint at the start of a Snappy block: the uncompressed length (-1: malformed). */
function uncompressedLength(b: Buffer): number {
  let n = 0;
  for (let i = 0, shift = 0; i < 5 && i < b.length; i++, shift += 7) {
    n += (b[i] & 0x7f) * 2 ** shift;
    if ((b[i] & 0x80) === 0) return n;
  }
  return -1;
}
