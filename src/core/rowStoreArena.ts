/*
 * The row store's bytes: Buffer chunks addressed as one space (chunk i covers [starts[i], starts[i] +
 * length)), a Uint32 address per record. Chunks grow with the data (64 KB up to 4 MB), so a small hash
 * costs little and a big one is few allocations; trimLast() gives back the unused tail.
 */

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 4 * 1024 * 1024;

/** Thrown when the store reached its row or byte limit; what was stored stays usable. */
export class StoreFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreFullError';
  }
}

export class ByteArena {
  private chunks: Buffer[] = [];
  private starts: number[] = [];
  private used = 0;
  private last = 0;
  /** set by locate() */
  buf: Buffer = Buffer.alloc(0);
  offset = 0;

  constructor(private readonly maxBytes: number) {}

  get byteLength(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Points `buf` / `offset` at an address. */
  locate(a: number): void {
    let ci = this.last;
    if (ci >= this.chunks.length || a < this.starts[ci] || a >= this.starts[ci] + this.chunks[ci].length) {
      let lo = 0;
      let hi = this.starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.starts[mid] <= a) lo = mid;
        else hi = mid - 1;
      }
      ci = this.last = lo;
    }
    this.buf = this.chunks[ci];
    this.offset = a - this.starts[ci];
  }

  /** Reserves `size` contiguous bytes and returns their address; `buf` / `offset` point at them. */
  alloc(size: number): number {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.chunks[last].length - this.used >= size) {
      const a = this.starts[last] + this.used;
      this.buf = this.chunks[last];
      this.offset = this.used;
      this.used += size;
      return a;
    }
    const end = last >= 0 ? this.starts[last] + this.chunks[last].length : 0;
    const total = this.byteLength;
    let chunkSize = MIN_CHUNK;
    while (chunkSize < MAX_CHUNK && chunkSize < total / 8) chunkSize *= 2;
    chunkSize = Math.max(chunkSize, size);
    if (end + chunkSize > this.maxBytes) {
      throw new StoreFullError(`The editor holds at most ${Math.round(this.maxBytes / 1048576)} MB of field data.`);
    }
    this.chunks.push(Buffer.allocUnsafeSlow(chunkSize));
    this.starts.push(end);
    this.used = size;
    this.buf = this.chunks[last + 1];
    this.offset = 0;
    return end;
  }

  /** Shrinks the last chunk to what is used (later writes start a new chunk). */
  trimLast(): void {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.used < this.chunks[last].length) this.chunks[last] = Buffer.from(this.chunks[last].subarray(0, this.used));
  }
}

export function varintSize(n: number): number {
  let s = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

export function writeVarint(b: Buffer, p: number, n: number): number {
  while (n >= 128) {
    b[p++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  b[p++] = n;
  return p;
}

/**
 * Copies src[0, n) into dst at `p` and returns the end. Names and small values go byte by byte: for a
 * few dozen bytes the native copy's call costs more than the copy (a million-field load makes two per field).
 */
export function copyBytes(src: Uint8Array, dst: Uint8Array, p: number, n: number): number {
  if (n > 32) {
    dst.set(n === src.length ? src : src.subarray(0, n), p);
    return p + n;
  }
  for (let i = 0; i < n; i++) dst[p + i] = src[i];
  return p + n;
}
