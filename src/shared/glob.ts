/* Redis glob patterns (SCAN MATCH, HSCAN MATCH) over bytes, shared by the extension and the webview. */

/** Whether `s` matches the glob `p` (`*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`), both as bytes, as Redis decides. */
export function globMatches(p: Uint8Array, s: Uint8Array): boolean {
  return globAt(p, 0, s, 0);
}

function globAt(p: Uint8Array, pi: number, s: Uint8Array, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi];
    if (c === 0x2a /* * */) {
      while (p[pi + 1] === 0x2a) pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (globAt(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === 0x3f /* ? */) {
      pi++;
      si++;
      continue;
    }
    if (c === 0x5b /* [ */) {
      let i = pi + 1;
      const not = p[i] === 0x5e;
      if (not) i++;
      let match = false;
      while (i < p.length && p[i] !== 0x5d) {
        if (p[i] === 0x5c && i + 1 < p.length) {
          i++;
          if (p[i] === s[si]) match = true;
          i++;
        } else if (p[i + 1] === 0x2d && i + 2 < p.length && p[i + 2] !== 0x5d) {
          let lo = p[i];
          let hi = p[i + 2];
          if (lo > hi) [lo, hi] = [hi, lo];
          if (s[si] >= lo && s[si] <= hi) match = true;
          i += 3;
        } else {
          if (p[i] === s[si]) match = true;
          i++;
        }
      }
      if (match === not) return false;
      pi = i + 1;
      si++;
      continue;
    }
    if (c === 0x5c /* \ */ && pi + 1 < p.length) pi++;
    if (p[pi] !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}
