import { isUtf8 } from 'node:buffer';
import { escapeBytes } from './codec';
import { fnv1a } from './fnv';
import { compareNatural } from './naturalOrder';
import { RunStore, indexOfSep, keyAt, matchesPrefix, sameRange } from './keyRuns';
import type { KeyRun } from './keyRuns';

/** How names sort: numbers in names by value ("key2" before "key10"), or plain bytes. */
export type NameOrder = 'natural' | 'bytes';

/**
 * Groups the keys loaded so far into folders by a separator ("user:42:cart" → user / 42 / cart).
 *
 * Built for keyspaces of millions of keys loaded page by page:
 * - `addKeys` only queues the page (one copy of its bytes, no grouping yet), so a SCAN loop feeding it
 *   costs little more than the SCAN;
 * - a folder distributes its queued keys only when somebody asks for its children (or for a path
 *   through it): one pass that tags each key with its sub-folder; a sub-folder takes its keys from
 *   those tags when it is distributed itself, so only the folders a user opens are ever built;
 * - no string per key: sub-folders are found by a hash of the segment bytes and a byte compare.
 *
 * SCAN may return a key twice. Leaves are deduplicated when a folder is shown (sorted, adjacent
 * duplicates dropped), and the counts of the folder and its ancestors are corrected then. Until a
 * folder is opened its `keyCount` counts what SCAN returned under it.
 *
 * Folder `path`s are the folder's key prefix (separator included) as a latin1 string: one char per
 * byte, so any bytes are a unique, stable, opaque id. The root's path is ''.
 *
 * Longer than 400 lines: the model and its lazy folder bookkeeping (distribute, pull, dedupe, detach) only
 * work together (the byte helpers are in keyRuns.ts).
 */
interface FolderEntry {
  /** the segment, shown as text (UTF-8) or escaped bytes */
  name: string;
  path: string;
  keyCount: number;
}

interface FolderChildren {
  folders: FolderEntry[];
  /** keys directly in the folder, sorted (natural or byte order), each once */
  keys: Buffer[];
}

/** Keys of one run queued in a folder: all of them (idx null) or those at idx[0..n). */
interface Queued {
  run: KeyRun;
  idx: Uint32Array | null;
  n: number;
}

/** Runs a folder has distributed: tags[j] is the id of the sub-folder key j went to, 0 for a leaf. */
interface Tagged {
  run: KeyRun;
  idx: Uint32Array | null;
  n: number;
  tags: Uint16Array | Uint32Array;
}

/** Size of distribute()'s cache of recently met sub-folders (a power of two). */
const RECENT_SLOTS = 64;

class Folder {
  /** keys under this folder not yet placed into sub-folders and leaves */
  pending: Queued[] = [];
  /** sub-folders by a hash of their segment; a collision keeps a small list */
  readonly subs = new Map<number, Folder | Folder[]>();
  subCount = 0;
  /** the sub-folders in name order, until one comes or goes */
  sorted: Folder[] | undefined;
  leaves: Buffer[] = [];
  /** leaves[0..sortedUpTo) are sorted and free of duplicates */
  sortedUpTo = 0;
  /** keys under this folder (queued ones included) */
  count = 0;
  /**
   * Its parent's distributed runs say which keys are this folder's by this id; the folder takes them
   * (`pull`) only when it is distributed itself, so a folder nobody opens costs no list of its keys.
   */
  id = 0;
  /** ids of sub-folders, from 1 */
  nextId = 1;
  tagged: Tagged[] = [];
  /** the parent's `tagged` runs taken so far */
  pulled = 0;

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
  private readonly compare: (a: Buffer, b: Buffer) => number;
  private runs = new RunStore();

  constructor(separator: string, order: NameOrder = 'natural') {
    this.separator = Buffer.from(separator, 'utf8');
    this.compare = order === 'natural' ? compareNatural : Buffer.compare;
    this.byPath.set('', this.root);
  }

  /** Queues a page of keys (as SCAN returned them). Cheap by design: one copy of the bytes, no grouping yet. */
  addKeys(keys: Buffer[]): void {
    if (keys.length === 0) return;
    const run = this.runs.add(keys);
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
    const folders = this.sortedSubs(folder).map((f): FolderEntry => ({ name: f.name, path: f.path, keyCount: f.count }));
    return { folders, keys: folder.leaves.slice() };
  }

  /** The sub-folders in name order; sorted again only when sub-folders came or went (the root is shown after every page). */
  private sortedSubs(folder: Folder): Folder[] {
    if (folder.sorted) return folder.sorted;
    const subs: Folder[] = [];
    for (const v of folder.subs.values()) {
      for (const f of Array.isArray(v) ? v : [v]) subs.push(f);
    }
    // By segment, not by prefix: the separator after a segment must not decide ("user" before "user2").
    const from = folder.prefix.length;
    const cut = this.separator.length;
    const named = subs.map((f) => ({ f, segment: f.prefix.subarray(from, f.prefix.length - cut) }));
    named.sort((a, b) => this.compare(a.segment, b.segment));
    return (folder.sorted = named.map(({ f }) => f));
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
    this.runs = new RunStore();
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

  /**
   * Places the queued keys of one folder into its sub-folders and its leaves: one pass per run that finds each
   * key's sub-folder and tags the key with its id; a sub-folder takes its keys when it is distributed.
   */
  private distribute(folder: Folder): void {
    this.pull(folder);
    if (folder.pending.length === 0) return;
    const queued = folder.pending;
    folder.pending = [];
    const sep = this.separator;
    const start = folder.prefix.length;
    // A page's keys come from a few namespaces in no order: a small direct-mapped cache of the sub-folders
    // met (by the segment's first two bytes) settles most keys with one compare of the segment, which
    // also finds where it ends (see matchesPrefix).
    const recent: (Folder | undefined)[] = new Array(RECENT_SLOTS);
    for (const q of queued) {
      const { bytes, ends } = q.run;
      const idx = q.idx;
      const n = q.n;
      if (sep.length === 0) {
        for (let j = 0; j < n; j++) folder.leaves.push(keyAt(q.run, idx ? idx[j] : j));
        continue;
      }
      // (a run makes at most n new sub-folders)
      const tags = folder.nextId + n <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
      let placed = 0;
      for (let j = 0; j < n; j++) {
        const i = idx ? idx[j] : j;
        const base = i === 0 ? 0 : ends[i - 1];
        const keyLen = ends[i] - base;
        const slot = keyLen > start ? (bytes[base + start] * 33 + (keyLen > start + 1 ? bytes[base + start + 1] : 0)) & (RECENT_SLOTS - 1) : 0;
        let sub = recent[slot];
        if (sub === undefined || !matchesPrefix(sub.prefix, bytes, base, keyLen, start)) {
          const end = indexOfSep(bytes, base, keyLen, sep, start);
          if (end < 0) {
            folder.leaves.push(bytes.subarray(base, base + keyLen));
            continue;
          }
          const len = end + sep.length;
          sub = this.findSub(folder, bytes, start, len, base) ?? this.createSub(folder, bytes.subarray(base, base + keyLen), len);
          recent[slot] = sub;
        }
        tags[j] = sub.id;
        sub.count++;
        placed++;
      }
      if (placed > 0) folder.tagged.push({ run: q.run, idx, n, tags });
    }
  }

  /** Takes this folder's keys from the runs its parent distributed since the last time. */
  private pull(folder: Folder): void {
    const parent = folder.parent;
    if (!parent || folder.pulled === parent.tagged.length) return;
    const id = folder.id;
    for (let k = folder.pulled; k < parent.tagged.length; k++) {
      const { run, idx, n, tags } = parent.tagged[k];
      let m = 0;
      for (let j = 0; j < n; j++) if (tags[j] === id) m++;
      if (m === 0) continue;
      const list = new Uint32Array(m);
      m = 0;
      for (let j = 0; j < n; j++) if (tags[j] === id) list[m++] = idx ? idx[j] : j;
      folder.pending.push({ run, idx: list, n: m });
    }
    folder.pulled = parent.tagged.length;
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
    sub.id = folder.nextId++;
    // runs distributed before it was made hold none of its keys
    sub.pulled = folder.tagged.length;
    const h = fnv1a(key, folder.prefix.length, len);
    const v = folder.subs.get(h);
    if (!v) folder.subs.set(h, sub);
    else if (Array.isArray(v)) v.push(sub);
    else folder.subs.set(h, [v, sub]);
    folder.subCount++;
    folder.sorted = undefined;
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
    parent.sorted = undefined;
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
