import { Parser } from 'pickleparser';
import { DecodeError } from './types';
import type { Format } from './types';
import { assertDepth } from './limits';
import { toJsonForm } from './jsonForm';

/*
 * Python pickle through pickleparser (a parser of the pickle opcodes in TypeScript: it never runs code).
 * A reference to a Python class becomes {"$class": "module.Name", "args": [...], ...state}. Read-only:
 * writing a pickle back would need Python's own pickler to give the same bytes.
 */

interface PickledObject {
  __module__?: string;
  __name__?: string;
}

function isPickledObject(v: object): v is PickledObject {
  const proto = Object.getPrototypeOf(v) as PickledObject | null;
  return proto !== null && typeof proto.__module__ === 'string' && typeof proto.__name__ === 'string';
}

function plain(v: unknown, classes: Set<string>): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (v instanceof Map) return new Map([...v.entries()].map(([k, x]) => [k, plain(x, classes)]));
  if (v instanceof Set) return [...v].map((x) => plain(x, classes));
  if (Array.isArray(v)) return v.map((x) => plain(x, classes));
  if (isPickledObject(v)) {
    const proto = Object.getPrototypeOf(v) as PickledObject;
    const name = `${proto.__module__}.${proto.__name__}`;
    classes.add(name);
    const args = (v as { args?: unknown[] }).args;
    return { $class: name, ...(args && args.length ? { args: args.map((x) => plain(x, classes)) } : {}), ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, classes)])) };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, classes)]));
}

export const pickle: Format = {
  name: 'pickle',
  /** protocol 2-5 header (0x80 n) and the STOP opcode at the end */
  detect(b) {
    return b.length >= 3 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5 && b[b.length - 1] === 0x2e;
  },
  decode(b) {
    let value: unknown;
    try {
      value = new Parser({ unpicklingTypeOfDictionary: 'Map', unpicklingTypeOfSet: 'array' }).parse(b);
    } catch (err) {
      if (err instanceof RangeError) throw new DecodeError('This pickle is nested too deeply; shown raw.');
      throw new DecodeError('This is not a valid Python pickle (corrupt, truncated, or an opcode this viewer does not know).');
    }
    assertDepth(value, 'This pickle');
    const classes = new Set<string>();
    const tree = plain(value, classes);
    const notes = classes.size
      ? [`This pickle references Python classes (${[...classes].slice(0, 5).join(', ')}${classes.size > 5 ? ', …' : ''}): shown as their names and arguments; nothing is run.`]
      : [];
    return { text: JSON.stringify(toJsonForm(tree), null, 2), tree, notes, readOnly: 'Python pickles are read-only here: only Python can write one back byte for byte.' };
  },
};
