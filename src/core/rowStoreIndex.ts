/*
 * The row store's lookup by name: open addressing with linear probing over a Uint32Array. An entry is
 * row + 1 in its low 25 bits and 7 bits of the name's hash above them, so a probe rarely has to
 * compare bytes. The store says how to hash a row's name and whether a row has a given name.
 */

import { fnv1a } from './fnv';

export const MAX_INDEXED_ROWS = 0x1ffffff - 1;
const ROW_MASK = 0x1ffffff;
const TAG_UNIT = 0x2000000;
const MAX_LOAD = 0.75;

export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = fnv1a(b, start, end);
  // final mix (murmur3 fmix32): the table uses h % capacity and the top 7 bits as a tag
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class NameIndex {
  private slots: Uint32Array = new Uint32Array(2048);
  private entries = 0;

  /** `hashOf(row)`: the hash of the row's current name (for rehashing and removal). */
  constructor(private readonly hashOf: (row: number) => number) {}

  get byteLength(): number {
    return this.slots.byteLength;
  }

  /** Room for `n` entries without growing. */
  reserve(n: number): void {
    if (this.slots.length * MAX_LOAD < n) this.rehash(Math.ceil(n / 0.72));
  }

  /** The row with hash `h` for which `named(row)` holds, or -1. */
  find(h: number, named: (row: number) => boolean): number {
    const slot = this.findSlot(h, named);
    return slot < 0 ? -slot - 1 : -1;
  }

  /**
   * One probe for a name that is usually new: the row with hash `h` for which `named(row)` holds, as
   * -(row + 1); or, when there is none, the free slot where insertAt() puts it (>= 0).
   */
  findSlot(h: number, named: (row: number) => boolean): number {
    const slots = this.slots;
    const cap = slots.length;
    const tag = h >>> 25;
    for (let i = h % cap; ; i = i + 1 === cap ? 0 : i + 1) {
      const e = slots[i];
      if (e === 0) return i;
      if (e >>> 25 === tag && named((e & ROW_MASK) - 1)) return -(e & ROW_MASK);
    }
  }

  /** Inserts `row` into the free `slot` findSlot() gave for `h` (nothing changed the table since). */
  insertAt(slot: number, row: number, h: number): void {
    if (this.entries + 1 > this.slots.length * MAX_LOAD) {
      this.insert(row, h);
      return;
    }
    this.slots[slot] = (h >>> 25) * TAG_UNIT + row + 1;
    this.entries++;
  }

  insert(row: number, h: number): void {
    if (this.entries + 1 > this.slots.length * MAX_LOAD) this.rehash(Math.ceil((this.entries + 1) / 0.5));
    const slots = this.slots;
    const cap = slots.length;
    let i = h % cap;
    while (slots[i] !== 0) i = i + 1 === cap ? 0 : i + 1;
    slots[i] = (h >>> 25) * TAG_UNIT + row + 1;
    this.entries++;
  }

  /** Removes the entry of `row` (whose name hashed to `h`), shifting later entries back so probes stay unbroken. */
  remove(row: number, h: number): void {
    const slots = this.slots;
    const cap = slots.length;
    let i = h % cap;
    while (slots[i] !== 0 && (slots[i] & ROW_MASK) - 1 !== row) i = i + 1 === cap ? 0 : i + 1;
    if (slots[i] === 0) return;
    slots[i] = 0;
    this.entries--;
    for (let j = i + 1 === cap ? 0 : i + 1; slots[j] !== 0; j = j + 1 === cap ? 0 : j + 1) {
      const k = this.hashOf((slots[j] & ROW_MASK) - 1) % cap;
      // move the entry at j into the hole at i unless its home lies cyclically in (i, j]
      const stays = i <= j ? k > i && k <= j : k > i || k <= j;
      if (stays) continue;
      slots[i] = slots[j];
      slots[j] = 0;
      i = j;
    }
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    const slots = (this.slots = new Uint32Array(Math.max(16, capacity)));
    const cap = slots.length;
    for (let s = 0; s < old.length; s++) {
      const e = old[s];
      if (e === 0) continue;
      let i = this.hashOf((e & ROW_MASK) - 1) % cap;
      while (slots[i] !== 0) i = i + 1 === cap ? 0 : i + 1;
      slots[i] = e;
    }
  }
}
