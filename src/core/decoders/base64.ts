import { DecodeError } from './types';
import type { Fitted, Transform } from './types';

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*={0,2}$/;

/** Values stored as base64 text (standard or URL-safe alphabet); never detected (plain words are valid base64). */
export const base64: Transform = {
  name: 'base64',
  decode(b: Buffer): Buffer {
    const text = b.toString('latin1');
    if (text.length === 0 || !(STANDARD.test(text) || URL_SAFE.test(text)) || text.length % 4 === 1) throw new DecodeError('This value is not base64 text.');
    return Buffer.from(text, URL_SAFE.test(text) && !STANDARD.test(text) ? 'base64url' : 'base64');
  },
  fit(plain: Buffer, original: Buffer): Fitted {
    const text = original.toString('latin1');
    const url = /[-_]/.test(text);
    const padded = text.endsWith('=') || !url;
    const encode = (p: Buffer) => {
      let s = p.toString(url ? 'base64url' : 'base64');
      if (url && padded) s = s.padEnd(Math.ceil(s.length / 4) * 4, '=');
      return Buffer.from(s, 'latin1');
    };
    return encode(plain).equals(original) ? { encode } : { reason: 'encoding the unchanged value again does not give the same base64 text' };
  },
};
