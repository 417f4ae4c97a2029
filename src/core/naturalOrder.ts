/**
 * Natural order of byte strings: runs of ASCII digits compare as numbers, so "key2" < "key10" and
 * "v1.9" < "v1.10"; everything else compares by bytes. Leading zeros do not change a number's
 * place ("a01" next to "a1"); where two names differ only in leading zeros, fewer zeros come first,
 * so the order is total and equal only for equal bytes (the tree's dedupe and search rely on that).
 *
 * Works on ranges of any byte arrays, so the row store compares inside its arena without copies.
 */
export function compareNaturalRange(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  // The common prefix settles most comparisons; back up to the start of a digit run that crosses it.
  let i = aStart;
  let j = bStart;
  while (i < aEnd && j < bEnd && a[i] === b[j]) {
    i++;
    j++;
  }
  if (i === aEnd && j === bEnd) return 0;
  const aDigit = i < aEnd && isDigit(a[i]);
  const bDigit = j < bEnd && isDigit(b[j]);
  if (!aDigit && !bDigit && !(i > aStart && isDigit(a[i - 1]))) return byteOrder(a, i, aEnd, b, j, bEnd);
  while (i > aStart && isDigit(a[i - 1])) {
    i--;
    j--;
  }
  let zeros = 0;
  while (i < aEnd && j < bEnd) {
    if (isDigit(a[i]) && isDigit(b[j])) {
      const za = skipZeros(a, i, aEnd);
      const zb = skipZeros(b, j, bEnd);
      const ea = digitsEnd(a, za, aEnd);
      const eb = digitsEnd(b, zb, bEnd);
      if (ea - za !== eb - zb) return ea - za - (eb - zb);
      for (let k = 0; k < ea - za; k++) {
        const d = a[za + k] - b[zb + k];
        if (d !== 0) return d;
      }
      if (zeros === 0) zeros = za - i - (zb - j);
      i = ea;
      j = eb;
      continue;
    }
    const d = a[i] - b[j];
    if (d !== 0) return d;
    i++;
    j++;
  }
  const rest = aEnd - i - (bEnd - j);
  return rest !== 0 ? rest : zeros;
}

export function compareNatural(a: Uint8Array, b: Uint8Array): number {
  return compareNaturalRange(a, 0, a.length, b, 0, b.length);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function skipZeros(s: Uint8Array, i: number, end: number): number {
  // One zero of an all-zero run stays, so "0" is a number of one digit.
  while (i + 1 < end && s[i] === 48 && isDigit(s[i + 1])) i++;
  return i;
}

function digitsEnd(s: Uint8Array, i: number, end: number): number {
  while (i < end && isDigit(s[i])) i++;
  return i;
}

function byteOrder(a: Uint8Array, i: number, aEnd: number, b: Uint8Array, j: number, bEnd: number): number {
  if (i < aEnd && j < bEnd) return a[i] - b[j];
  return aEnd - i - (bEnd - j);
}
