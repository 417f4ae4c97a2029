/*
 * A set of row ids as a bitmap: the table's selection. Row ids are dense (0 .. rows loaded), so a
 * million selected rows cost 125 KB, and the set crosses to the extension as base64 (167 KB), not as a
 * million numbers. Shared by the webview and the extension (no DOM, no Node APIs: btoa/atob are in both).
 */

export class IdSet {
  private bits = new Uint8Array(0);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return id >= 0 && (this.bits[id >> 3] ?? 0) & (1 << (id & 7)) ? true : false;
  }

  add(id: number): void {
    if (id < 0 || this.has(id)) return;
    if (id >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max((id >> 3) + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[id >> 3] |= 1 << (id & 7);
    this.count++;
  }

  delete(id: number): void {
    if (!this.has(id)) return;
    this.bits[id >> 3] &= ~(1 << (id & 7));
    this.count--;
  }

  clear(): void {
    this.bits = new Uint8Array(0);
    this.count = 0;
  }

  /** Adds every id of `other`. */
  addAll(other: IdSet): void {
    for (const id of other.ids()) this.add(id);
  }

  *ids(): Generator<number> {
    for (let i = 0; i < this.bits.length; i++) {
      const b = this.bits[i];
      if (!b) continue;
      for (let j = 0; j < 8; j++) if (b & (1 << j)) yield i * 8 + j;
    }
  }

  toBase64(): string {
    let s = '';
    for (let i = 0; i < this.bits.length; i += 0x8000) s += String.fromCharCode(...this.bits.subarray(i, i + 0x8000));
    return btoa(s);
  }

  static fromBase64(text: string): IdSet {
    const s = atob(text);
    const set = new IdSet();
    set.bits = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const b = s.charCodeAt(i);
      set.bits[i] = b;
      for (let x = b; x; x &= x - 1) set.count++;
    }
    return set;
  }
}
