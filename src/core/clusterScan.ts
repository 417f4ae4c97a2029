import type Redis from 'ioredis';
import { RedisConnection } from './connection';
import type { Commands } from './connection';
import { RedisExplorerError } from './errors';

/*
 * SCAN over every master of a cluster. Each master is scanned on its own, with its own cursor and always
 * one request in flight, and `next()` hands over whatever pages have arrived (at least one): a slow master
 * never holds the others back. A master that failed over meanwhile is found again through the first slot
 * it served: its promoted replica holds the same keys, but its hash table is seeded differently, so its
 * scan starts over there (keys may come twice, which the tree dedupes; none is lost).
 *
 * A page changes its master's scan (node, cursor, done) only when `next()` hands it over, never when it
 * arrives: a last page (cursor 0) that came in between two calls used to mark its scan done on arrival,
 * so the next call left that scan out and its keys were never handed over (seen under load, where a
 * failed request and the caller's pause before retrying leave time for the other masters' pages).
 */

interface NodeScan {
  /** "host:port" of the master when the scan started (or last moved) */
  node: string;
  /** the first slot it served, -1 when none */
  slot: number;
  cursor: string;
  done: boolean;
  /** the request in flight; settles to a page or an error, never rejects */
  pending?: Promise<Page | { error: unknown }>;
}

/** Where a scan is: its node ("host:port" in a cluster), the cursor for its next request, whether it ended. */
export interface ScanPosition {
  node: string | undefined;
  cursor: string;
  done: boolean;
}

/** One page of one master: its keys, the node that answered and the cursor it gave. */
interface Page {
  keys: Buffer[];
  node: string;
  cursor: string;
}

export class ClusterKeyScan {
  private scans: NodeScan[] | undefined;

  constructor(
    private readonly conn: RedisConnection,
    private readonly args: (string | number)[],
    private readonly parse: (reply: unknown) => [string, Buffer[]],
  ) {}

  get done(): boolean {
    return this.scans !== undefined && this.scans.every((s) => s.done);
  }

  /** Each master's cursor as handed over so far (a scan's progress); empty before the first page. */
  positions(): ScanPosition[] {
    return (this.scans ?? []).map((s) => ({ node: s.node, cursor: s.cursor, done: s.done }));
  }

  async next(): Promise<Buffer[]> {
    const scans = (this.scans ??= this.start());
    const live = scans.filter((s) => !s.done);
    if (live.length === 0) return [];
    for (const s of live) s.pending ??= this.fetch(s);
    // the first page to arrive, then every other that is already in
    await Promise.race(live.map((s) => s.pending));
    const keys: Buffer[] = [];
    let failure: unknown;
    for (const s of live) {
      // an already settled request wins this race; one still in flight loses to the plain value
      const page = await Promise.race([s.pending, undefined]);
      if (!page) continue;
      s.pending = undefined;
      if ('error' in page) failure ??= page.error;
      else {
        // the scan moves on only now that its page is handed over
        for (const k of page.keys) keys.push(k);
        s.node = page.node;
        s.cursor = page.cursor;
        if (page.cursor === '0') s.done = true;
        // keep one request in flight per master
        else s.pending = this.fetch(s);
      }
    }
    if (failure !== undefined && keys.length === 0) throw failure;
    return keys;
  }

  private start(): NodeScan[] {
    const slots = this.conn.firstSlots();
    return this.conn.scanTargets().map((n) => {
      const node = RedisConnection.nodeKey(n);
      return { node, slot: slots.get(node) ?? -1, cursor: '0', done: false };
    });
  }

  /** One page of one master; the scan itself is left as it is until `next()` hands the page over. */
  private async fetch(s: NodeScan): Promise<Page | { error: unknown }> {
    try {
      const [node, from] = this.find(s);
      const [cursor, keys] = this.parse(await this.conn.runOn(node, (c) => c.callBuffer('SCAN', from, ...this.args) as Promise<unknown>, true));
      return { keys, node: RedisConnection.nodeKey(node), cursor };
    } catch (error) {
      return { error };
    }
  }

  /** The node to scan next and the cursor to send it: the same master, or its successor from the start. */
  private find(s: NodeScan): [Redis, string] {
    const same = this.conn.scanTargets().find((n) => RedisConnection.nodeKey(n) === s.node);
    if (same) return [same, s.cursor];
    const successor = s.slot >= 0 ? this.conn.masterOfSlot(s.slot) : undefined;
    if (successor) return [successor, '0'];
    throw new RedisExplorerError(
      'CLOSED',
      `The cluster's master ${s.node} is gone and no master serves its keys yet (a failover may be under way); nothing was changed. Try again shortly, or refresh.`,
    );
  }
}

/** CRC16/XMODEM table, as Redis Cluster hashes keys to slots. */
const CRC16 = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** The slot of a key (its hash tag {…} when it has a non-empty one). */
export function keySlot(key: string | Buffer): number {
  let k = Buffer.isBuffer(key) ? key : Buffer.from(key);
  const open = k.indexOf(0x7b);
  if (open >= 0) {
    const close = k.indexOf(0x7d, open + 1);
    if (close > open + 1) k = k.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of k) crc = ((crc << 8) & 0xffff) ^ CRC16[((crc >> 8) ^ byte) & 0xff];
  return crc & 16383;
}

/**
 * HSCAN of one hash in a cluster, on the master that owns it. A hash moved to another master meanwhile
 * (a slot migration, a failover) has a new hash table there, where the old cursor means nothing: the
 * scan starts over on its new master (fields may come twice, which the row store merges; none is lost).
 */
export class ClusterHashScan {
  private node: Redis | undefined;
  /** "ASK": the hash is being migrated and is already at the target, which serves it only after ASKING */
  private asking = false;

  constructor(
    private readonly conn: RedisConnection,
    private readonly key: string | Buffer,
  ) {}

  async fetch(cursor: string, args: (string | number | Buffer)[]): Promise<[Buffer, Buffer[]]> {
    const hscan = (c: Commands, from: string) => c.hscanBuffer(...([this.key, from, ...args] as [string, string]));
    for (let redirects = 0; ; redirects++) {
      const node = (this.node ??= this.conn.masterOfSlot(keySlot(this.key)));
      // not known yet: the client routes it (and follows redirects); the next page is pinned again
      if (!node) return this.conn.run((c) => hscan(c, cursor));
      try {
        return await this.conn.runOn(node, async (c) => {
          if (!this.asking) return hscan(c, cursor);
          // ASKING is for the next command on the connection only: sent together with it in one pipeline.
          const replies = (await c.pipeline().asking().hscanBuffer(...([this.key, cursor, ...args] as [string, string])).exec()) ?? [];
          const [err, reply] = replies[1] ?? [new Error('no reply')];
          if (err) throw err;
          return reply as [Buffer, Buffer[]];
        });
      } catch (err) {
        const m = /^(MOVED|ASK) \d+ (\S+)/.exec(err instanceof RedisExplorerError && err.detail instanceof Error ? err.detail.message : '');
        if (!m || redirects >= 3) throw err;
        this.node = this.conn.scanTargets().find((n) => RedisConnection.nodeKey(n) === m[2]);
        this.asking = m[1] === 'ASK';
        if (!this.node) this.conn.refreshTopology();
        cursor = '0';
      }
    }
  }
}
