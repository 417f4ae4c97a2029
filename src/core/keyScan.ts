import { RedisConnection } from './connection';
import type { ScanPosition } from './clusterScan';
import { KeyPager } from './pagers';

/*
 * A key scan for a person waiting for the first keys: every page is handed over as soon as it arrives
 * (one hash among a million strings shows after the round trip that met it, not after a page's worth or a
 * time budget), and the scan runs on in the background until it has kept the keys asked for, the keyspace
 * ends, or it is stopped. `run` again continues from the cursor where it paused: no key twice, none skipped.
 *
 * Bounded: one SCAN in flight (one per master of a cluster), nothing asked ahead, so a stop sends nothing
 * more. COUNT starts at the page size and grows while pages come back sparse (a rare TYPE or MATCH: many
 * round trips for few keys), x4 after an empty page and x2 after a thin one, up to MAX_SCAN_COUNT: about a
 * millisecond of the server's time per request. Once a run has handed over keys, thin pages are paced: a pause as
 * long as the last request took before the next, so a background scan takes at most half of the server's time.
 */

/** The largest COUNT a sparse scan grows to. */
export const MAX_SCAN_COUNT = 8192;
/** The longest pause between two requests of a paced scan. */
const MAX_PAUSE_MS = 50;

interface KeyScanOptions {
  match?: string;
  /** SCAN TYPE (Redis 6+), e.g. 'hash' */
  type?: string;
  /** COUNT of the first request */
  count: number;
  /** the most COUNT grows to (MAX_SCAN_COUNT) */
  maxCount?: number;
  /** the key tree's listing: from replicas when the connection reads from them (see KeyPager) */
  browsing?: boolean;
}

export interface ScanProgress {
  /** keys the server has looked at so far (an estimate from the cursors, exact once done) */
  scanned: number;
  /** keys in the database (DBSIZE, summed over a cluster's masters) when the scan started; undefined until known */
  total: number | undefined;
  /** keys handed over so far (a key may come twice where SCAN repeats it) */
  found: number;
  running: boolean;
  done: boolean;
}

/**
 * Receives each page as it arrives: returns how many of its keys it kept (towards `run`'s `want`), or false
 * to end the scan at once (the view it fed was reset).
 */
type KeysListener = (keys: Buffer[]) => number | false;

export class KeyScan {
  private readonly pager: KeyPager;
  private count: number;
  private readonly maxCount: number;
  private current: Promise<void> | undefined;
  private stopping = false;
  /** ends the pause between two requests */
  private wake: (() => void) | undefined;
  private ended = false;
  private found = 0;
  /** SCAN replies handed over (one per master of a cluster that answered) */
  private replies = 0;
  /** keys looked at, counted by COUNT per page: for masters whose cursors say nothing of their progress */
  private counted = 0;
  private scannedSoFar = 0;
  private totals: Map<string, number> | undefined;
  private totalsAsked = false;
  private readonly progressListeners: Array<() => void> = [];

  constructor(
    private readonly conn: RedisConnection,
    options: KeyScanOptions,
    private readonly onKeys: KeysListener,
  ) {
    this.count = Math.max(1, options.count);
    this.maxCount = Math.max(this.count, options.maxCount ?? MAX_SCAN_COUNT);
    this.pager = new KeyPager(conn, { match: options.match, type: options.type, count: this.count, browsing: options.browsing });
  }

  /** Called after every page and when the scan pauses, stops or ends. */
  onProgress(listener: () => void): void {
    this.progressListeners.push(listener);
  }

  get done(): boolean {
    return this.pager.done || this.ended;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Pages handed over so far, by all runs. */
  get pages(): number {
    return this.replies;
  }

  progress(): ScanProgress {
    const total = this.total();
    return { scanned: this.done && total !== undefined ? total : this.scannedSoFar, total, found: this.found, running: this.running, done: this.done };
  }

  /**
   * Scans until `want` more keys were kept, the keyspace ends, or `stop()`; resolves then (at once when done).
   * A call while running joins the run under way. Rejects with the scan's failure (the scan can be run again).
   */
  run(want: number): Promise<void> {
    if (this.current) return this.current;
    if (this.done) return Promise.resolve();
    this.stopping = false;
    const current = this.loop(want).finally(() => {
      this.current = undefined;
      this.emit();
    });
    this.current = current;
    return current;
  }

  /** Stops after the request in flight (whose keys are still handed over); nothing more is sent. */
  stop(): void {
    if (!this.current) return;
    this.stopping = true;
    this.wake?.();
  }

  /** A pause between two requests that `stop()` cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async loop(want: number): Promise<void> {
    let kept = 0;
    let took = 0;
    while (!this.pager.done && !this.stopping && kept < want) {
      // Once this run has shown keys, a thin scan goes on at half the server's time at most: the person
      // has something to look at, and the server has other clients.
      if (kept > 0 && took > 0) await this.pause(Math.min(took, MAX_PAUSE_MS));
      if (this.stopping) return;
      const before = this.pager.positions();
      const sent = Date.now();
      const keys = await this.pager.next();
      took = 0;
      this.replies++;
      this.noteProgress(before);
      this.found += keys.length;
      const n = this.onKeys(keys);
      if (n === false) {
        this.ended = true;
        return;
      }
      kept += n;
      // Sparse pages: fewer round trips for the same keyspace, each still short for the server.
      if (keys.length * 4 < this.count) {
        took = Date.now() - sent;
        if (this.count < this.maxCount) {
          this.count = Math.min(this.maxCount, this.count * (keys.length === 0 ? 4 : 2));
          this.pager.setCount(this.count);
        }
      }
      // (after the page is handed over: its keys are what a person waits for)
      this.askTotals();
      this.emit();
    }
  }

  private noteProgress(before: ScanPosition[]): void {
    const after = this.pager.positions();
    // masters whose scan moved handed over a page each (one not started yet is at cursor 0)
    const moved = after.filter((p) => {
      const b = before.find((x) => x.node === p.node) ?? { cursor: '0', done: false };
      return b.cursor !== p.cursor || b.done !== p.done;
    }).length;
    this.counted += moved * this.count;
    const totals = this.totals;
    let estimate = this.counted;
    // A standalone server's cursor says how far through its table the scan is (bits reversed: see below).
    if (!this.conn.isCluster && totals) estimate = after[0].done ? (totals.get('') ?? 0) : Math.round(tableFraction(after[0].cursor) * (totals.get('') ?? 0));
    const total = this.total();
    if (total !== undefined && !this.pager.done) estimate = Math.min(estimate, Math.max(0, total - 1));
    this.scannedSoFar = Math.max(this.scannedSoFar, estimate);
  }

  private total(): number | undefined {
    if (!this.totals) return undefined;
    let sum = 0;
    for (const n of this.totals.values()) sum += n;
    return sum;
  }

  /** DBSIZE of each master, once, after the first page (nothing beside the first SCAN: its keys are what a person waits for). */
  private askTotals(): void {
    if (this.totalsAsked) return;
    this.totalsAsked = true;
    const sizes = this.conn.isCluster
      ? this.conn.forEachNode(async (n) => [RedisConnection.nodeKey(n), await n.dbsize()] as const)
      : this.conn.run((c) => c.dbsize()).then((n) => [['', n] as const]);
    sizes.then(
      (pairs) => {
        this.totals = new Map(pairs);
        this.emit();
      },
      // the count is only shown as "about": without it the progress names what was scanned
      () => undefined,
    );
  }

  private emit(): void {
    for (const l of this.progressListeners) l();
  }
}

const TWO_64 = 2 ** 64;

/**
 * How far through its hash table a SCAN cursor is, 0..1. Redis walks the buckets in reverse-binary order
 * (the cursor's bits reversed count up), so the reversed cursor over 2^64 is the part already visited,
 * whatever the table's size.
 */
export function tableFraction(cursor: string): number {
  let v: bigint;
  try {
    v = BigInt(cursor);
  } catch {
    return 0;
  }
  // two 32-bit halves, each reversed with plain numbers: one BigInt split instead of 64 BigInt steps
  const lo = Number(v & 0xffffffffn);
  const hi = Number((v >> 32n) & 0xffffffffn);
  return (reverse32(lo) * 2 ** 32 + reverse32(hi)) / TWO_64;
}

function reverse32(x: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = r * 2 + (x & 1);
    x >>>= 1;
  }
  return r;
}
