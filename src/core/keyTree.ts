import { isUtf8 } from 'node:buffer';
import { escapeBytes } from './codec';
import { fnv1a } from './fnv';
import { compareNatural } from './naturalOrder';

/** How names sort: numbers in names by value ("key2" before "key10"), or plain bytes. */
export type NameOrder = 'natural' | 'bytes';

/**
 * Groups the keys loaded so far into folders by a separator ("user:42:cart" → user / 42 / cart).
 *
 * Built for keyspaces of millions of keys loaded page by page:
 * - `addKeys` only queues the page (O(1) per page, no per-key work), so a SCAN loop feeding it
 *   costs what the SCAN costs;
 * - a folder distributes its queued keys into sub-folders and leaves only when somebody asks for
 *   its children (or for a path through it), so only the folders a user opens are ever built;
 * - no string per key: sub-folders are found by a hash of the segment bytes and a byte compare.
 *
 * SCAN may return a key twice. Leaves are deduplicated when a folder is shown (sorted, adjacent
 * duplicates dropped), and the counts of the folder and its ancestors are corrected then. Until a
 * folder is opened its `keyCount` counts what SCAN returned under it.
 *
 * Folder `path`s are the folder's key prefix (separator included) as a latin1 string: one char per
 * byte, so any bytes are a unique, stable, opaque id. The root's path is ''.
 *
 * Longer than 400 lines: the model and its lazy folder bookkeeping (distribute, dedupe, detach) only work
 * together; the byte helpers at the end are theirs alone.
 */
export interface FolderEntry {
  /** the segment, shown as text (UTF-8) or escaped bytes */
  name: string;
  path: string;
  keyCount: number;
}

export interface FolderChildren {
  folders: FolderEntry[];
  /** keys directly in the folder, sorted (natural or byte order), each once */
  keys: Buffer[];
}

/**
 * A page of keys as one byte run: key i is bytes[ends[i - 1] ?? 0, ends[i]). Queued keys are kept
 * as runs and index lists, never as a Buffer per key: a million Buffers cost the garbage collector
 * more than the SCAN loop that brought them (measured by `npm run bench`).
 */
interface KeyRun {
  bytes: Buffer;
  ends: Uint32Array;
}

/** Keys of one run queued in a folder: all of them (idx null) or those at idx[0..n). */
interface Queued {
  run: KeyRun;
  idx: Uint32Array | null;
  n: number;
}

function toRun(keys: Buffer[]): KeyRun {
  const ends = new Uint32Array(keys.length);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    n += keys[i].length;
    ends[i] = n;
  }
  return { bytes: Buffer.concat(keys, n), ends };
}

/** Size of distribute()'s cache of recently met sub-folders (a power of two). */
const RECENT_SLOTS = 64;

class Folder {
  /** keys under this folder not yet placed into sub-folders and leaves */
  pending: Queued[] = [];
  /** sub-folders by a hash of their segment; a collision keeps a small list */
  readonly subs = new Map<number, Folder | Folder[]>();
  subCount = 0;
  leaves: Buffer[] = [];
  /** leaves[0..sortedUpTo) are sorted and free of duplicates */
  sortedUpTo = 0;
  /** keys under this folder (queued ones included) */
  count = 0;
  /** the entry of `pending` the current distribution of the parent appends to */
  batch: Queued | undefined;
  batchEpoch = 0;

  constructor(
    readonly parent: Folder | undefined,
    /** the folder's key prefix, separator included; empty for the root */
    readonly prefix: Buffer,
    readonly path: string,
    readonly name: string,
  ) {}
}

export class KeyTreeModel {
  readonly separator: Buffer;
  private root = new Folder(undefined, Buffer.alloc(0), '', '');
  private readonly byPath = new Map<string, Folder>();
  private epoch = 0;
  private readonly compare: (a: Buffer, b: Buffer) => number;

  constructor(separator: string, order: NameOrder = 'natural') {
    this.separator = Buffer.from(separator, 'utf8');
    this.compare = order === 'natural' ? compareNatural : Buffer.compare;
    this.byPath.set('', this.root);
  }

  /** Queues a page of keys (as SCAN returned them). Cheap by design: one copy of the bytes, no grouping yet. */
  addKeys(keys: Buffer[]): void {
    if (keys.length === 0) return;
    const run = toRun(keys);
    this.root.pending.push({ run, idx: null, n: keys.length });
    this.root.count += keys.length;
  }

  /** Keys loaded (a key SCAN returned twice counts twice until its folder was shown). */
  get loadedCount(): number {
    return this.root.count;
  }

  /** The sub-folders and keys directly in a folder ('' is the root); empty when the folder does not exist. */
  children(folderPath = ''): FolderChildren {
    const folder = this.resolve(folderPath);
    if (!folder) return { folders: [], keys: [] };
    this.distribute(folder);
    this.dedupeLeaves(folder);
    const subs: Folder[] = [];
    for (const v of folder.subs.values()) {
      for (const f of Array.isArray(v) ? v : [v]) subs.push(f);
    }
    // By segment, not by prefix: the separator after a segment must not decide ("user" before "user2").
    const from = folder.prefix.length;
    const cut = this.separator.length;
    const named = subs.map((f) => ({ f, segment: f.prefix.subarray(from, f.prefix.length - cut) }));
    named.sort((a, b) => this.compare(a.segment, b.segment));
    const folders = named.map(({ f }): FolderEntry => ({ name: f.name, path: f.path, keyCount: f.count }));
    return { folders, keys: folder.leaves.slice() };
  }

  /** Folder entry for a path (count included), or undefined. */
  folder(folderPath: string): FolderEntry | undefined {
    const f = this.resolve(folderPath);
    return f ? { name: f.name, path: f.path, keyCount: f.count } : undefined;
  }

  /** The path of the folder a key belongs in (whether it is loaded or not). */
  folderPathOf(key: Buffer): string {
    const lengths = this.prefixLengths(key);
    return lengths.length ? key.toString('latin1', 0, lengths[lengths.length - 1]) : '';
  }

  /** The path of the folder's parent ('' for a top-level folder); undefined for the root. */
  parentPath(folderPath: string): string | undefined {
    if (folderPath === '') return undefined;
    const f = this.resolve(folderPath);
    if (f) return f.parent?.path ?? '';
    const lengths = this.prefixLengths(Buffer.from(folderPath, 'latin1'));
    return lengths.length >= 2 ? folderPath.slice(0, lengths[lengths.length - 2]) : '';
  }

  has(key: Buffer): boolean {
    const folder = this.resolve(this.folderPathOf(key));
    if (!folder) return false;
    this.distribute(folder);
    this.dedupeLeaves(folder);
    return binarySearch(folder.leaves, key, this.compare) >= 0;
  }

  /**
   * Removes a key. Folders left empty are removed too. Returns the path of the deepest folder that
   * still exists above the key (what a view must refresh), or undefined when the key was not loaded.
   */
  removeKey(key: Buffer): string | undefined {
    let folder = this.resolve(this.folderPathOf(key));
    if (!folder) return undefined;
    this.distribute(folder);
    this.dedupeLeaves(folder);
    const i = binarySearch(folder.leaves, key, this.compare);
    if (i < 0) return undefined;
    folder.leaves.splice(i, 1);
    folder.sortedUpTo--;
    for (let f: Folder | undefined = folder; f; f = f.parent) f.count--;
    while (folder.parent && folder.count === 0) {
      this.detach(folder);
      folder = folder.parent;
    }
    return folder.path;
  }

  /** Moves a key; returns the paths to refresh (old place, new place). */
  renameKey(oldKey: Buffer, newKey: Buffer): { removedFrom?: string; addedTo: string } {
    const removedFrom = this.removeKey(oldKey);
    const addedTo = this.addKeyNow(newKey);
    return { removedFrom, addedTo };
  }

  /**
   * Adds one key at once (a key a command created) and returns the path of the deepest folder that
   * existed before (the place a view must refresh to show it).
   */
  addKeyNow(key: Buffer): string {
    const lengths = this.prefixLengths(key);
    let folder = this.root;
    let shown = '';
    this.distribute(folder);
    for (const len of lengths) {
      const existing = this.findSub(folder, key, folder.prefix.length, len);
      if (existing) {
        folder = existing;
        shown = folder.path;
        this.distribute(folder);
      } else {
        folder = this.createSub(folder, key, len);
      }
    }
    this.dedupeLeaves(folder);
    if (binarySearch(folder.leaves, key, this.compare) >= 0) return folder.path;
    folder.leaves.push(key);
    for (let f: Folder | undefined = folder; f; f = f.parent) f.count++;
    return shown;
  }

  clear(): void {
    this.root = new Folder(undefined, Buffer.alloc(0), '', '');
    this.byPath.clear();
    this.byPath.set('', this.root);
  }

  /** Finds a folder by path, building the folders on the way. */
  private resolve(folderPath: string): Folder | undefined {
    const hit = this.byPath.get(folderPath);
    if (hit) return hit;
    if (folderPath === '' || this.separator.length === 0) return undefined;
    const prefix = Buffer.from(folderPath, 'latin1');
    let folder = this.root;
    for (const len of this.prefixLengths(prefix)) {
      this.distribute(folder);
      const sub = this.findSub(folder, prefix, folder.prefix.length, len);
      if (!sub) return undefined;
      folder = sub;
    }
    return folder.path === folderPath ? folder : undefined;
  }

  /** Byte lengths of the folder prefixes of a key: "a:b:c" → [2, 4] (each includes the separator). */
  private prefixLengths(key: Buffer): number[] {
    const out: number[] = [];
    const sep = this.separator;
    if (sep.length === 0) return out;
    let from = 0;
    for (;;) {
      const i = sep.length === 1 ? key.indexOf(sep[0], from) : key.indexOf(sep, from);
      if (i < 0) return out;
      from = i + sep.length;
      out.push(from);
    }
  }

  /** Places the queued keys of one folder into its sub-folders (queued there) and its leaves. */
  private distribute(folder: Folder): void {
    if (folder.pending.length === 0) return;
    const queued = folder.pending;
    folder.pending = [];
    const sep = this.separator;
    const start = folder.prefix.length;
    // A page's keys come from a few namespaces in no order: a small direct-mapped cache of the
    // sub-folders met (by segment length and first byte) settles most keys without hashing the segment.
    const recent: (Folder | undefined)[] = new Array(RECENT_SLOTS);
    const touched: Folder[] = [];
    for (const q of queued) {
      const { bytes, ends } = q.run;
      // One index list per sub-folder and run, filled in place.
      const epoch = ++this.epoch;
      for (let j = 0; j < q.n; j++) {
        const i = q.idx ? q.idx[j] : j;
        const base = i === 0 ? 0 : ends[i - 1];
        const keyLen = ends[i] - base;
        const end = indexOfSep(bytes, base, keyLen, sep, start);
        if (end < 0) {
          folder.leaves.push(bytes.subarray(base, base + keyLen));
          continue;
        }
        const len = end + sep.length;
        const slot = (len * 31 + bytes[base + start]) & (RECENT_SLOTS - 1);
        let sub = recent[slot];
        if (sub === undefined || !sameRange(sub.prefix, bytes, base, start, len)) {
          sub = this.findSub(folder, bytes, start, len, base) ?? this.createSub(folder, bytes.subarray(base, base + keyLen), len);
          recent[slot] = sub;
        }
        let b = sub.batch;
        if (sub.batchEpoch !== epoch || !b) {
          sub.batchEpoch = epoch;
          b = sub.batch = { run: q.run, idx: new Uint32Array(16), n: 0 };
          sub.pending.push(b);
          touched.push(sub);
        }
        if (b.idx && b.n === b.idx.length) {
          const grown = new Uint32Array(b.n * 2);
          grown.set(b.idx);
          b.idx = grown;
        }
        if (b.idx) b.idx[b.n++] = i;
        sub.count++;
      }
    }
    for (const sub of touched) sub.batch = undefined;
  }

  /** The sub-folder for the key at bytes[base...] whose prefix is its first `len` bytes (the first `start` known to match). */
  private findSub(folder: Folder, bytes: Buffer, start: number, len: number, base = 0): Folder | undefined {
    const v = folder.subs.get(fnv1a(bytes, base + start, base + len));
    if (!v) return undefined;
    if (!Array.isArray(v)) return sameRange(v.prefix, bytes, base, start, len) ? v : undefined;
    return v.find((f) => sameRange(f.prefix, bytes, base, start, len));
  }

  private createSub(folder: Folder, key: Buffer, len: number): Folder {
    const prefix = Buffer.from(key.subarray(0, len));
    const segment = prefix.subarray(folder.prefix.length, len - this.separator.length);
    const name = isUtf8(segment) ? segment.toString('utf8') : escapeBytes(segment);
    const sub = new Folder(folder, prefix, prefix.toString('latin1'), name);
    const h = fnv1a(key, folder.prefix.length, len);
    const v = folder.subs.get(h);
    if (!v) folder.subs.set(h, sub);
    else if (Array.isArray(v)) v.push(sub);
    else folder.subs.set(h, [v, sub]);
    folder.subCount++;
    this.byPath.set(sub.path, sub);
    return sub;
  }

  private detach(folder: Folder): void {
    const parent = folder.parent;
    if (!parent) return;
    const h = fnv1a(folder.prefix, parent.prefix.length, folder.prefix.length);
    const v = parent.subs.get(h);
    if (Array.isArray(v)) {
      const rest = v.filter((f) => f !== folder);
      if (rest.length === 1) parent.subs.set(h, rest[0]);
      else parent.subs.set(h, rest);
    } else if (v === folder) {
      parent.subs.delete(h);
    }
    parent.subCount--;
    for (const [path, f] of this.byPath) {
      if (path.startsWith(folder.path) && (f === folder || isBelow(f, folder))) this.byPath.delete(path);
    }
  }

  /** Sorts new leaves in and drops duplicates SCAN returned, correcting the counts above. */
  private dedupeLeaves(folder: Folder): void {
    const leaves = folder.leaves;
    if (folder.sortedUpTo === leaves.length) return;
    leaves.sort(this.compare);
    let w = 0;
    for (let r = 0; r < leaves.length; r++) {
      if (w > 0 && leaves[w - 1].equals(leaves[r])) continue;
      leaves[w++] = leaves[r];
    }
    const dropped = leaves.length - w;
    leaves.length = w;
    folder.sortedUpTo = w;
    if (dropped) for (let f: Folder | undefined = folder; f; f = f.parent) f.count -= dropped;
  }
}

function isBelow(f: Folder, ancestor: Folder): boolean {
  for (let p = f.parent; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

/**
 * Where the separator starts in the key bytes[base, base + keyLen), searching from key offset `from`;
 * an offset in the key, or -1. A JS loop: segments are short, a native call costs more.
 */
function indexOfSep(bytes: Buffer, base: number, keyLen: number, sep: Buffer, from: number): number {
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

/**
 * Whether `prefix` (a folder's whole prefix, length `len`) equals the first `len` bytes of the key at
 * bytes[base...], comparing from `start` (the parent's part is known equal).
 */
function sameRange(prefix: Buffer, bytes: Buffer, base: number, start: number, len: number): boolean {
  if (prefix.length !== len) return false;
  for (let i = start; i < len; i++) if (prefix[i] !== bytes[base + i]) return false;
  return true;
}

function binarySearch(sorted: Buffer[], key: Buffer, compare: (a: Buffer, b: Buffer) => number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compare(sorted[mid], key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
