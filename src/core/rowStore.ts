/*
 * The loaded fields of one hash, held compactly so a million-field hash costs little more than its bytes.
 * No object per field: each row is a record [flags][varint nameLen][varint storedLen][varint fullLen?][name][value]
 * in large Buffer chunks (the arena), addressed by one Uint32 per row. Lookup by name goes through an
 * open-addressing table of row numbers (Uint32Array) that also holds 7 bits of the name's hash, so a probe
 * rarely has to compare bytes. Row numbers are stable: a delete leaves a tombstone, an update or rename
 * writes a new record and points the row at it, so the order the user sees never shifts.
 *
 * Longer than 400 lines: the record format, its reads and writes and the sort over it are one data structure;
 * the parts that stand alone are in rowStoreArena.ts and rowStoreIndex.ts.
 */

import { ByteArena, StoreFullError, copyBytes, varintSize, writeVarint } from './rowStoreArena';
import { MAX_INDEXED_ROWS, NameIndex, hashBytes } from './rowStoreIndex';
import { compareNaturalRange } from './naturalOrder';

export { StoreFullError };

const DELETED = 1;
const TRUNCATED = 2;

const DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

const NO_NAMES: Buffer[] = [];

type SortBy = 'field' | 'value';

interface RowStoreOptions {
  /** values longer than this keep only a prefix of this many bytes (the full length is remembered) */
  maxValueBytes?: number;
  /** arena size at which append/set refuse more rows (StoreFullError) */
  maxBytes?: number;
}

interface ViewOptions {
  /** substring of the name or the (stored) value; ASCII letters match either case */
  filter?: string;
  sortBy?: SortBy;
  descending?: boolean;
  /** numbers inside names and values sort by value ("f2" before "f10"); default: bytes */
  natural?: boolean;
  /** only rows >= this row number (to extend a filtered view with newly loaded rows) */
  fromRow?: number;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export class RowStore {
  private readonly maxValueBytes: number;
  private readonly maxBytes: number;
  private arena: ByteArena;
  private addr: Uint32Array = new Uint32Array(1024);
  private rows = 0;
  private live = 0;
  private readonly index = new NameIndex((row) => {
    this.decode(row);
    return hashBytes(this.cChunk, this.cName, this.cName + this.cNameLen);
  });
  private garbage = 0;
  /**
   * The name a lookup looks for is probeNames[probeAt]; `named` reads it, so a lookup allocates no closure,
   * and append() points it at its page once (not a store of each name into this object: a million per load).
   */
  private probeNames: Buffer[] = [];
  private probeAt = 0;
  /** append()'s names' hashes, computed before any lookup: the table's memory is then read in one tight loop */
  private hashes = new Uint32Array(1024);
  private readonly named = (row: number): boolean => {
    this.decode(row);
    const f = this.probeNames[this.probeAt];
    return this.cNameLen === f.length && this.cChunk.compare(f, 0, f.length, this.cName, this.cName + this.cNameLen) === 0;
  };
  // the record decoded last (decode() fills these; no allocation per read)
  private cChunk: Buffer = Buffer.alloc(0);
  private cFlags = 0;
  private cName = 0;
  private cNameLen = 0;
  private cValLen = 0;
  private cFull = 0;
  private cSize = 0;
  private cStart = 0;
  /** read position of varint() */
  private vpos = 0;

  constructor(options: RowStoreOptions = {}) {
    this.maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.maxBytes = Math.min(options.maxBytes ?? 1024 * 1024 * 1024, 0xfff00000);
    this.arena = new ByteArena(this.maxBytes);
  }

  /** live rows */
  get size(): number {
    return this.live;
  }

  /** row numbers in use, tombstones included: rows are 0 .. rowCount - 1 */
  get rowCount(): number {
    return this.rows;
  }

  get maxValueLength(): number {
    return this.maxValueBytes;
  }

  /** Sizes the row and lookup tables for `n` rows up front (HLEN is known before loading). */
  reserve(n: number): void {
    n = Math.min(n, MAX_INDEXED_ROWS);
    if (this.addr.length < n) this.addr = copyInto(new Uint32Array(n), this.addr, this.rows);
    this.index.reserve(n);
  }

  isDeleted(row: number): boolean {
    this.decode(row);
    return (this.cFlags & DELETED) !== 0;
  }

  isTruncated(row: number): boolean {
    this.decode(row);
    return (this.cFlags & TRUNCATED) !== 0;
  }

  fieldAt(row: number): Buffer {
    this.decode(row);
    return this.cChunk.subarray(this.cName, this.cName + this.cNameLen);
  }

  /** The stored bytes: the whole value, or its first maxValueBytes when isTruncated(row). */
  valueAt(row: number): Buffer {
    this.decode(row);
    const start = this.cName + this.cNameLen;
    return this.cChunk.subarray(start, start + this.cValLen);
  }

  /** The value's full length on the server (as it was when loaded). */
  valueLengthAt(row: number): number {
    this.decode(row);
    return this.cFull;
  }

  /** The live row holding `field`, or -1. */
  indexOf(field: Buffer): number {
    const row = this.find(field, hashBytes(field, 0, field.length));
    return row >= 0 && !this.isDeleted(row) ? row : -1;
  }

  /**
   * Adds HSCAN results. A name seen before (HSCAN may return one twice) updates that row's value;
   * a name deleted here is not brought back by a page fetched before the delete. Returns the new-row count.
   */
  append(fields: Buffer[], values: Buffer[]): number {
    const n = fields.length;
    if (this.hashes.length < n) this.hashes = new Uint32Array(n);
    const hashes = this.hashes;
    for (let i = 0; i < n; i++) hashes[i] = hashBytes(fields[i], 0, fields[i].length);
    this.probeNames = fields;
    let added = 0;
    try {
      for (let i = 0; i < n; i++) {
        const h = hashes[i];
        this.probeAt = i;
        // one probe finds the row or the free slot for it (names are nearly always new)
        const slot = this.index.findSlot(h, this.named);
        if (slot < 0) {
          const row = -slot - 1;
          if (!this.isDeleted(row)) this.updateValue(row, values[i]);
          continue;
        }
        this.addRow(fields[i], values[i], h, slot);
        added++;
      }
    } finally {
      this.probeNames = NO_NAMES;
    }
    return added;
  }

  /** Writes `value` into the row of `field` (same place), or appends a row when it has none. */
  set(field: Buffer, value: Buffer): { row: number; added: boolean } {
    const h = hashBytes(field, 0, field.length);
    const row = this.find(field, h);
    if (row >= 0 && !this.isDeleted(row)) {
      this.updateValue(row, value);
      return { row, added: false };
    }
    if (row >= 0) this.index.remove(row, h);
    return { row: this.addRow(field, value, h), added: true };
  }

  /** Tombstones the row of `field`; returns its row number, or -1 when there was none. */
  delete(field: Buffer): number {
    const row = this.indexOf(field);
    if (row >= 0) this.deleteRow(row);
    return row;
  }

  deleteRow(row: number): void {
    this.decode(row);
    if (this.cFlags & DELETED) return;
    this.cChunk[this.cStart] |= DELETED;
    this.live--;
  }

  /** Gives the row of `field` the name `newField`, in place. -1 when `field` has no live row; throws when `newField` has one. */
  rename(field: Buffer, newField: Buffer): number {
    const h = hashBytes(field, 0, field.length);
    const row = this.find(field, h);
    if (row < 0 || this.isDeleted(row)) return -1;
    if (field.equals(newField)) return row;
    const h2 = hashBytes(newField, 0, newField.length);
    const other = this.find(newField, h2);
    if (other >= 0 && !this.isDeleted(other)) throw new Error('A field with the new name is already loaded.');
    if (other >= 0) this.index.remove(other, h2);
    const value = Buffer.from(this.valueAt(row));
    const full = this.cFull;
    const flags = this.cFlags;
    this.garbage += this.cSize;
    this.addr[row] = this.writeRecord(newField, value, flags, full);
    this.index.remove(row, h);
    this.index.insert(row, h2);
    this.maybeCompact();
    return row;
  }

  /** Live rows in row order, filtered and sorted as asked. */
  view(options: ViewOptions = {}): Int32Array {
    let out = new Int32Array(Math.max(0, this.rows - (options.fromRow ?? 0)));
    let n = 0;
    const needle = options.filter ? Buffer.from(options.filter, 'utf8') : undefined;
    const lower = needle?.map(lowerAscii);
    for (let row = options.fromRow ?? 0; row < this.rows; row++) {
      this.decode(row);
      if (this.cFlags & DELETED) continue;
      if (lower && !this.decodedMatches(lower)) continue;
      out[n++] = row;
    }
    out = out.subarray(0, n);
    if (options.sortBy) this.sortRows(out, options.sortBy, options.descending === true, options.natural === true);
    return out;
  }

  /** Whether `row` (live) matches a filter as view() applies it. */
  matches(row: number, filter: string): boolean {
    this.decode(row);
    return (this.cFlags & DELETED) === 0 && this.decodedMatches(Buffer.from(filter, 'utf8').map(lowerAscii));
  }

  /** Bytes this store holds: arena chunks plus its tables. */
  bytesHeld(): number {
    return this.arena.byteLength + this.addr.byteLength + this.index.byteLength;
  }

  /** Releases spare capacity (call when loading ends). */
  trim(): void {
    if (this.garbage > 0) this.compact();
    if (this.addr.length > this.rows) this.addr = this.addr.slice(0, Math.max(this.rows, 16));
    this.arena.trimLast();
  }

  /** Rewrites every record into fresh chunks, dropping bytes left behind by updates and renames. Row numbers stay. */
  compact(): void {
    const records: Buffer[] = [];
    for (let row = 0; row < this.rows; row++) {
      this.decode(row);
      records.push(this.cChunk.subarray(this.cStart, this.cStart + this.cSize));
    }
    this.arena = new ByteArena(this.maxBytes);
    this.garbage = 0;
    for (let row = 0; row < records.length; row++) {
      const a = this.arena.alloc(records[row].length);
      records[row].copy(this.arena.buf, this.arena.offset);
      this.addr[row] = a;
    }
  }

  // ---- internals ----

  /** Compacts once left-behind bytes outweigh half the arena (updates and renames leave their old record). */
  private maybeCompact(): void {
    if (this.garbage > 4 * 1024 * 1024 && this.garbage * 2 > this.bytesHeld()) this.compact();
  }

  private decode(row: number): void {
    if (row < 0 || row >= this.rows) throw new RangeError(`No row ${row}`);
    this.arena.locate(this.addr[row]);
    const b = this.arena.buf;
    const start = this.arena.offset;
    this.cStart = start;
    this.cChunk = b;
    this.cFlags = b[start];
    this.vpos = start + 1;
    this.cNameLen = this.varint(b);
    this.cValLen = this.varint(b);
    this.cFull = this.cFlags & TRUNCATED ? this.varint(b) : this.cValLen;
    this.cName = this.vpos;
    this.cSize = this.vpos - start + this.cNameLen + this.cValLen;
  }

  /** Reads a little-endian base-128 length at `vpos` and moves past it. */
  private varint(b: Buffer): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const c = b[this.vpos++];
      n += (c & 127) * mul;
      if (c < 128) return n;
      mul *= 128;
    }
  }

  private decodedMatches(lower: Uint8Array): boolean {
    const b = this.cChunk;
    return containsCI(b, this.cName, this.cName + this.cNameLen, lower) || containsCI(b, this.cName + this.cNameLen, this.cName + this.cNameLen + this.cValLen, lower);
  }

  private writeRecord(field: Buffer, value: Buffer, flags: number, fullLength: number): number {
    let stored = value.length;
    flags &= ~TRUNCATED;
    if (fullLength > this.maxValueBytes) {
      flags |= TRUNCATED;
      stored = Math.min(stored, this.maxValueBytes);
    }
    const nameLen = field.length;
    // (most names and values are shorter than 128 bytes: a one-byte length, no varint call)
    const header = (nameLen < 128 ? 2 : 1 + varintSize(nameLen)) + (stored < 128 ? 1 : varintSize(stored)) + (flags & TRUNCATED ? varintSize(fullLength) : 0);
    const a = this.arena.alloc(header + nameLen + stored);
    const b = this.arena.buf;
    let p = this.arena.offset;
    b[p++] = flags;
    if (nameLen < 128) b[p++] = nameLen;
    else p = writeVarint(b, p, nameLen);
    if (stored < 128) b[p++] = stored;
    else p = writeVarint(b, p, stored);
    if (flags & TRUNCATED) p = writeVarint(b, p, fullLength);
    p = copyBytes(field, b, p, nameLen);
    copyBytes(value, b, p, stored);
    return a;
  }

  /** `slot`: the free index slot findSlot() gave for `h`, or -1 to probe again. */
  private addRow(field: Buffer, value: Buffer, h: number, slot = -1): number {
    if (this.rows >= MAX_INDEXED_ROWS) throw new StoreFullError(`The editor holds at most ${MAX_INDEXED_ROWS.toLocaleString('en-US')} fields.`);
    const a = this.writeRecord(field, value, 0, value.length);
    if (this.rows === this.addr.length) this.addr = copyInto(new Uint32Array(Math.ceil(this.addr.length * 1.5)), this.addr, this.rows);
    const row = this.rows++;
    this.addr[row] = a;
    this.live++;
    if (slot >= 0) this.index.insertAt(slot, row, h);
    else this.index.insert(row, h);
    return row;
  }

  /** Replaces a live row's value; same-length values are overwritten where they are. */
  private updateValue(row: number, value: Buffer): void {
    this.decode(row);
    const truncated = value.length > this.maxValueBytes;
    const start = this.cName + this.cNameLen;
    const sameStored = this.cValLen === (truncated ? this.maxValueBytes : value.length);
    if (sameStored && this.cFull === value.length && this.cChunk.compare(value, 0, this.cValLen, start, start + this.cValLen) === 0) return;
    if (!truncated && !(this.cFlags & TRUNCATED) && this.cValLen === value.length) {
      value.copy(this.cChunk, start);
      return;
    }
    const field = Buffer.from(this.fieldAt(row));
    const flags = this.cFlags;
    this.garbage += this.cSize;
    this.addr[row] = this.writeRecord(field, value, flags, value.length);
    this.maybeCompact();
  }

  /** The row (live or tombstone) named `field`, or -1. */
  private find(field: Buffer, h: number): number {
    this.probeNames = [field];
    this.probeAt = 0;
    const row = this.index.find(h, this.named);
    this.probeNames = NO_NAMES;
    return row;
  }

  private sortRows(ids: Int32Array, by: SortBy, descending: boolean, natural: boolean): void {
    // Six bytes as a number settle most comparisons without touching the arena; they are taken after
    // the prefix every row shares ("field:", '{"id":'), which would otherwise settle nothing.
    let skip = this.commonPrefix(ids, by);
    const prefix = new Float64Array(this.rows);
    if (natural && skip > 0) skip = this.digitRunStart(ids[0], by, skip);
    for (const row of ids) {
      this.decode(row);
      const start = (by === 'field' ? this.cName : this.cName + this.cNameLen) + skip;
      const len = (by === 'field' ? this.cNameLen : this.cValLen) - skip;
      let k = 0;
      let stop = false;
      for (let j = 0; j < 6; j++) {
        const c = j < len && !stop ? this.cChunk[start + j] : -1;
        // In natural order a number's value decides, not its first digit: the key stops at a digit,
        // which is placed where digits sort among other bytes.
        if (natural && c >= 48 && c <= 57) stop = true;
        k = k * 257 + (c < 0 ? 0 : natural && stop ? 49 : c + 1);
      }
      prefix[row] = k;
    }
    const sign = descending ? -1 : 1;
    const cmp = (a: number, b: number): number => {
      const d = prefix[a] - prefix[b];
      if (d !== 0) return d * sign;
      const c = this.compareBytes(a, b, by, natural);
      return c !== 0 ? c * sign : a - b;
    };
    ids.sort(cmp);
  }

  /** Length of the prefix that the names (or values) of all `ids` share, capped at 64 bytes. */
  private commonPrefix(ids: Int32Array, by: SortBy): number {
    if (ids.length < 2) return 0;
    const first = Buffer.from(by === 'field' ? this.fieldAt(ids[0]) : this.valueAt(ids[0])).subarray(0, 64);
    let n = first.length;
    for (let i = 1; i < ids.length && n > 0; i++) {
      this.decode(ids[i]);
      const start = by === 'field' ? this.cName : this.cName + this.cNameLen;
      const len = by === 'field' ? this.cNameLen : this.cValLen;
      let j = 0;
      while (j < n && j < len && this.cChunk[start + j] === first[j]) j++;
      n = j;
    }
    return n;
  }

  /** `skip` moved back to the start of the digit run it cuts (natural order compares whole numbers). */
  private digitRunStart(row: number, by: SortBy, skip: number): number {
    this.decode(row);
    const start = by === 'field' ? this.cName : this.cName + this.cNameLen;
    while (skip > 0 && this.cChunk[start + skip - 1] >= 48 && this.cChunk[start + skip - 1] <= 57) skip--;
    return skip;
  }

  private compareBytes(a: number, b: number, by: SortBy, natural = false): number {
    this.decode(a);
    const ca = this.cChunk;
    const sa = by === 'field' ? this.cName : this.cName + this.cNameLen;
    const la = by === 'field' ? this.cNameLen : this.cValLen;
    this.decode(b);
    const sb = by === 'field' ? this.cName : this.cName + this.cNameLen;
    const lb = by === 'field' ? this.cNameLen : this.cValLen;
    if (natural) return compareNaturalRange(ca, sa, sa + la, this.cChunk, sb, sb + lb);
    return ca.compare(this.cChunk, sb, sb + lb, sa, sa + la);
  }
}


function copyInto(target: Uint32Array, source: Uint32Array, n: number): Uint32Array {
  target.set(source.subarray(0, Math.min(n, target.length)));
  return target;
}

/** Substring search in b[start, end) with `lower` already lower-cased (ASCII letters match either case). */
function containsCI(b: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  const n = lower.length;
  if (n === 0) return true;
  const first = lower[0];
  for (let i = start, last = end - n; i <= last; i++) {
    if (lowerAscii(b[i]) !== first) continue;
    let j = 1;
    while (j < n && lowerAscii(b[i + j]) === lower[j]) j++;
    if (j === n) return true;
  }
  return false;
}
