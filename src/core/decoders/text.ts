import { isUtf8 } from 'node:buffer';
import { escapeBytes, unescapeBytes } from '../codec';
import type { Format } from './types';

/** Text as it is; bytes that are not UTF-8 are shown escaped (\xNN) and unescaped on save, so nothing changes unseen. */
export const text: Format = {
  name: 'text',
  decode(b) {
    if (isUtf8(b)) return { text: b.toString('utf8'), encode: (t) => Buffer.from(t, 'utf8') };
    return { text: escapeBytes(b), notes: ['The decoded bytes are not valid UTF-8: shown escaped (\\xNN, \\\\).'], encode: (t) => unescapeBytes(t) };
  },
};
