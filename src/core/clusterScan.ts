import type Redis from 'ioredis';
import { RedisConnection } from './connection';
import type { Commands } from './connection';
import { RedisExplorerError } from './errors';

/*
 * SCAN over every master of a cluster, as one cursor. The cursor the pager keeps is '0' (start, or done)
 * or the list of masters not finished yet, each with its own SCAN cursor and the first slot it served.
 * A master that failed over meanwhile is found again through that slot: its promoted replica holds the
 * same keys, but its hash table is seeded differently, so its scan starts over there (keys may come twice,
 * which the tree dedupes; none is lost).
 */

interface NodeCursor {
  /** "host:port" of the master when the scan started (or last moved) */
  node: string;
  /** the first slot it served, -1 when none */
  slot: number;
  cursor: string;
}

const PREFIX = 'cluster:';

function decode(cursor: string): NodeCursor[] | undefined {
  if (cursor === '0') return undefined;
  return JSON.parse(cursor.slice(PREFIX.length)) as NodeCursor[];
}

function encode(list: NodeCursor[]): string {
  return list.length === 0 ? '0' : PREFIX + JSON.stringify(list);
}

function start(conn: RedisConnection): NodeCursor[] {
  const slots = conn.firstSlots();
  return conn.scanTargets().map((n) => {
    const node = RedisConnection.nodeKey(n);
    return { node, slot: slots.get(node) ?? -1, cursor: '0' };
  });
}

/** The node to scan next and the cursor to send it: the same master, or its successor from the start. */
function find(conn: RedisConnection, at: NodeCursor): [Redis, string] {
  const masters = conn.scanTargets();
  const same = masters.find((n) => RedisConnection.nodeKey(n) === at.node);
  if (same) return [same, at.cursor];
  const successor = at.slot >= 0 ? conn.masterOfSlot(at.slot) : undefined;
  if (successor) return [successor, '0'];
  throw new RedisExplorerError(
    'CLOSED',
    `The cluster's master ${at.node} is gone and no master serves its keys yet (a failover may be under way); nothing was changed. Try again shortly, or refresh.`,
  );
}

/** One page from every master not finished yet, in parallel; resolves the merged keys and the next cursor. */
export async function scanCluster(
  conn: RedisConnection,
  cursor: string,
  args: (string | number)[],
  parse: (reply: unknown) => [string, Buffer[]],
): Promise<[string, Buffer[]]> {
  const list = decode(cursor) ?? start(conn);
  const pages = await Promise.all(
    list.map(async (at) => {
      const [node, from] = find(conn, at);
      const [next, keys] = parse(await conn.runOn(node, (c) => c.callBuffer('SCAN', from, ...args) as Promise<unknown>));
      return { at: { node: RedisConnection.nodeKey(node), slot: at.slot, cursor: next }, keys };
    }),
  );
  const keys: Buffer[] = [];
  for (const p of pages) for (const k of p.keys) keys.push(k);
  return [encode(pages.filter((p) => p.at.cursor !== '0').map((p) => p.at)), keys];
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
