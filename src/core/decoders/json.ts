import { isUtf8 } from 'node:buffer';
import { DecodeError } from './types';
import type { Format } from './types';
import { jsonTextDepth, MAX_DEPTH } from './limits';

/** How the stored JSON was laid out, so a save writes it the same way. */
type Layout = 'compact' | 'indent2' | 'indent4' | 'tabs' | 'asis';

const STRINGIFY: Record<Exclude<Layout, 'asis'>, (v: unknown) => string> = {
  compact: (v) => JSON.stringify(v),
  indent2: (v) => JSON.stringify(v, null, 2),
  indent4: (v) => JSON.stringify(v, null, 4),
  tabs: (v) => JSON.stringify(v, null, '\t'),
};

export function parseJson(text: string, what = 'The value'): unknown {
  if (jsonTextDepth(text) > MAX_DEPTH) throw new DecodeError(`${what} is JSON nested more than ${MAX_DEPTH} levels deep; shown raw.`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * JSON objects and arrays. A layout JSON.stringify reproduces (compact, 2 or 4 spaces, tabs) is shown
 * indented and saved in that layout; any other (or numbers JavaScript would round) is shown and saved
 * as typed, checked to be JSON.
 */
export const json: Format = {
  name: 'json',
  detect(b) {
    let i = 0;
    while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
    if (b[i] !== 0x7b && b[i] !== 0x5b) return false;
    if (!isUtf8(b)) return false;
    try {
      parseJson(b.toString('utf8'));
      return true;
    } catch {
      return false;
    }
  },
  decode(b) {
    if (!isUtf8(b)) throw new DecodeError('The value is not UTF-8 text, so it is not JSON.');
    const stored = b.toString('utf8');
    const value = parseJson(stored);
    const layout = (Object.keys(STRINGIFY) as Array<keyof typeof STRINGIFY>).find((l) => STRINGIFY[l](value) === stored) ?? 'asis';
    if (layout === 'asis') return { text: stored, encode: (t) => (parseJson(t, 'The edited text'), Buffer.from(t, 'utf8')) };
    const write = STRINGIFY[layout];
    return { text: JSON.stringify(value, null, 2), encode: (t) => Buffer.from(write(parseJson(t, 'The edited text')), 'utf8') };
  },
};
