/** FNV-1a (32-bit) over b[start, end): hashes a name or a segment of one without making a string of it. */
export function fnv1a(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}
