import { DecodeError } from './types';

/** Decompressed values over this are refused (a zip bomb is a few KB that inflate to gigabytes). */
export const MAX_OUTPUT = 32 * 1024 * 1024;
/** JSON, MessagePack, PHP and pickle structures deeper than this are refused, not recursed into. */
export const MAX_DEPTH = 500;

function mb(n: number): string {
  return `${Math.round(n / 1024 / 1024)} MB`;
}

export function tooBig(what: string, max: number): DecodeError {
  return new DecodeError(`${what} decompresses to more than ${mb(max)} (the cap); shown raw.`);
}

/** Depth of a decoded JS structure, walked without recursion; stops counting past the cap. */
function depthOf(value: unknown, cap = MAX_DEPTH): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) continue;
    if (d > max) max = d;
    if (max > cap) return max;
    const children = v instanceof Map ? [...v.keys(), ...v.values()] : Object.values(v as object);
    for (const c of children) stack.push([c, d + 1]);
  }
  return max;
}

export function assertDepth(value: unknown, what: string): void {
  if (depthOf(value) > MAX_DEPTH) throw new DecodeError(`${what} is nested more than ${MAX_DEPTH} levels deep; shown raw.`);
}

/** Nesting depth of JSON text (brackets outside strings), counted before JSON.parse sees it. */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
