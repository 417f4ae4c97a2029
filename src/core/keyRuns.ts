/**
 * A page of keys as one byte run: key i is bytes[ends[i - 1] ?? 0, ends[i]). Queued keys are kept
 * as runs and index lists, never as a Buffer per key: a million Buffers cost the garbage collector
 * more than the SCAN loop that brought them (measured by `npm run bench`).
 */
export interface KeyRun {
  bytes: Buffer;
  ends: Uint32Array;
}

/** Size of the first slab; each next one doubles, up to MAX_SLAB (bytes). */
const FIRST_SLAB = 16 * 1024;
const MAX_SLAB = 1024 * 1024;

/**
 * Where a key model keeps the bytes of its queued keys: views into a few large slabs instead of an
 * ArrayBuffer per page (a thousand off-heap allocations per million keys, each tracked and freed by the
 * garbage collector). A slab lives as long as any key in it is kept.
 */
export class RunStore {
  private bytes = Buffer.alloc(0);
  private bytesUsed = 0;
  private bytesNext = FIRST_SLAB;

  /** A run holding a copy of `keys` (the SCAN reply's Buffers are not kept). */
  add(keys: Buffer[]): KeyRun {
    let total = 0;
    for (let i = 0; i < keys.length; i++) total += keys[i].length;
    const ends = new Uint32Array(keys.length);
    const bytes = this.take(total);
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      bytes.set(k, n);
      n += k.length;
      ends[i] = n;
    }
    return { bytes, ends };
  }

  private take(n: number): Buffer {
    if (this.bytesUsed + n > this.bytes.length) {
      this.bytes = Buffer.allocUnsafeSlow(Math.max(n, this.bytesNext));
      this.bytesUsed = 0;
      this.bytesNext = Math.min(this.bytesNext * 2, MAX_SLAB);
    }
    const view = this.bytes.subarray(this.bytesUsed, this.bytesUsed + n);
    this.bytesUsed += n;
    return view;
  }
}

/**
 * Where the separator starts in the key bytes[base, base + keyLen), searching from key offset `from`;
 * an offset in the key, or -1. A JS loop: segments are short, a native call costs more.
 */
export function indexOfSep(bytes: Buffer, base: number, keyLen: number, sep: Buffer, from: number): number {
  const n = sep.length;
  if (n === 0) return -1;
  const s0 = sep[0];
  const last = base + keyLen - n;
  outer: for (let i = base + from; i <= last; i++) {
    if (bytes[i] !== s0) continue;
    for (let j = 1; j < n; j++) if (bytes[i + j] !== sep[j]) continue outer;
    return i - base;
  }
  return -1;
}

/** Key i of a run, as a view of the run's bytes. */
export function keyAt(run: KeyRun, i: number): Buffer {
  return run.bytes.subarray(i === 0 ? 0 : run.ends[i - 1], run.ends[i]);
}

/**
 * Whether the key bytes[base, base + keyLen) starts with `prefix`, a sub-folder's whole prefix (its
 * segment and the separator; the first `start` bytes are the parent's, known equal). Then the segment
 * ends where the prefix does: a segment holds no separator, so the key's first separator after `start`
 * is the prefix's.
 */
export function matchesPrefix(prefix: Buffer, bytes: Buffer, base: number, keyLen: number, start: number): boolean {
  const len = prefix.length;
  if (len > keyLen) return false;
  for (let i = start; i < len; i++) if (prefix[i] !== bytes[base + i]) return false;
  return true;
}

/**
 * Whether `prefix` (a folder's whole prefix, length `len`) equals the first `len` bytes of the key at
 * bytes[base...], comparing from `start` (the parent's part is known equal).
 */
export function sameRange(prefix: Buffer, bytes: Buffer, base: number, start: number, len: number): boolean {
  if (prefix.length !== len) return false;
  for (let i = start; i < len; i++) if (prefix[i] !== bytes[base + i]) return false;
  return true;
}
