import { Decoder, Encoder } from '@msgpack/msgpack';
import { isUtf8 } from 'node:buffer';
import { DecodeError } from './types';
import type { Format } from './types';
import { assertDepth } from './limits';
import { fromJsonForm, toJsonForm } from './jsonForm';
import { parseJson } from './json';

/*
 * MessagePack through @msgpack/msgpack (the msgpack organisation's own implementation, typed, no
 * dependencies). Shown and edited as JSON; int64 beyond 2^53 comes back as BigInt, so no number is rounded.
 */
const decoder = new Decoder({ useBigInt64: true, maxStrLength: 64 * 1024 * 1024, maxBinLength: 64 * 1024 * 1024 });
const encoder = new Encoder({ useBigInt64: true });

export const msgpack: Format = {
  name: 'msgpack',
  /** a map or an array that uses every byte (text is never taken for MessagePack) */
  detect(b) {
    const first = b[0];
    const container = (first >= 0x80 && first <= 0x9f) || first === 0xdc || first === 0xdd || first === 0xde || first === 0xdf;
    if (!container || b.length < 2 || isUtf8(b)) return false;
    try {
      decoder.decode(b);
      return true;
    } catch {
      return false;
    }
  },
  decode(b) {
    let value: unknown;
    try {
      value = decoder.decode(b);
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw new DecodeError('This MessagePack value is nested too deeply; shown raw.');
      throw new DecodeError('This is not valid MessagePack (corrupt, truncated, or extra bytes after the value).');
    }
    assertDepth(value, 'This MessagePack value');
    const form = toJsonForm(value);
    return {
      text: JSON.stringify(form, null, 2),
      tree: value,
      encode: (t) => Buffer.from(encoder.encode(fromJsonForm(parseJson(t, 'The edited text')))),
    };
  },
};
