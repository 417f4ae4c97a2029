import * as lz4js from 'lz4js';
import { DecodeError } from './types';
import type { Fitted, Limits, Transform } from './types';
import { tooBig } from './limits';

/** LZ4 frame format (magic 04 22 4D 18) through lz4js, a pure JavaScript implementation. */
export const lz4: Transform = {
  name: 'lz4',
  magic: (b) => b.length >= 7 && b.readUInt32LE(0) === 0x184d2204,
  decode(b: Buffer, limits: Limits): Buffer {
    let bound: number;
    try {
      bound = lz4js.decompressBound(b);
    } catch {
      throw new DecodeError('This is not a valid LZ4 frame (corrupt or truncated).');
    }
    if (!Number.isFinite(bound) || bound < 0) throw new DecodeError('This is not a valid LZ4 frame (corrupt or truncated).');
    if (bound > limits.maxOutput) throw tooBig('This LZ4 value', limits.maxOutput);
    try {
      return Buffer.from(lz4js.decompress(b, bound));
    } catch {
      throw new DecodeError('This is not a valid LZ4 frame (corrupt or truncated).');
    }
  },
  fit(plain: Buffer, original: Buffer): Fitted {
    const encode = (p: Buffer) => Buffer.from(lz4js.compress(p));
    return encode(plain).equals(original) ? { encode } : { reason: 'compressing the unchanged value again does not give the same LZ4 frame (other block size or checksum options)' };
  },
};
