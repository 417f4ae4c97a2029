import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { Fitted, Limits, Transform } from './types';
import { inflateFailure, search } from './zlibCommon';

/** Brotli has no magic number: never detected, chosen by the user or a setting. */
export const brotli: Transform = {
  name: 'brotli',
  decode(b: Buffer, limits: Limits): Buffer {
    try {
      return brotliDecompressSync(b, { maxOutputLength: limits.maxOutput });
    } catch (err) {
      throw inflateFailure('brotli', err, limits.maxOutput);
    }
  },
  /** Quality 11 is the default of Node, Python and the brotli tool; then the common lower ones. */
  fit(plain: Buffer, original: Buffer): Fitted {
    const q = constants.BROTLI_PARAM_QUALITY;
    return search('brotli', plain, original, [11, 4, 5, 6, 9, 1, 0], (quality) => (p) => brotliCompressSync(p, { params: { [q]: quality } }));
  },
};
