import type Redis from 'ioredis';
import { RedisConnection } from './connection';
import type { Commands } from './connection';
import { RedisExplorerError } from './errors';
import type { ReplicaChoice } from './replicaReads';

/*
 * SCAN over every master of a cluster. Each master is scanned on its own, with its own cursor, and keeps
 * scanning while the caller works: a master's next request goes out as soon as its page arrives (at most
 * two pages wait per master), and `next()` hands over whatever pages have arrived (at least one). A slow
 * master never holds the others back, and none sits idle while the caller files the keys.
 *
 * A master that failed over meanwhile is found again through the first slot it served: its promoted
 * replica holds the same keys, but its hash table is seeded differently, so its scan starts over there
 * (keys may come twice, which the tree dedupes; none is lost). A master's scan counts as finished only
 * once another node confirms that the node it ran on still owns its slots: a stopped master that comes
 * back thinks it is master for a while and answers with what it had, and a client whose slot map is stale
 * believes it; keys written to its successor meanwhile would be missed. Otherwise its scan starts over on
 * the owner the cluster names.
 *
 * A page changes its master's scan (node, cursor, done) only when `next()` hands it over, never when it
 * arrives: a last page (cursor 0) that came in between two calls used to mark its scan done on arrival,
 * so the next call left that scan out and its keys were never handed over.
 *
 * Reading from replicas (`replicas` given: see replicaReads.ts), a master's scan runs on one of its replicas
 * while that replica serves the master's slots; a replica that fails a request, or is gone, means that
 * master's scan starts over on another replica or the master itself. Its last page counts once another
 * node confirms that the replica still serves those slots. A master without a reachable replica is scanned
 * itself, by the rules above.
 */

/** Where a master's scan is, or where its next request goes. */
interface Position {
  /** "host:port" of the node */
  node: string;
  cursor: string;
  /** named by the cluster as its slots' owner: used even while the client's slot map says otherwise */
  owner?: boolean;
  /** a replica of the master whose keys are scanned */
  replica?: boolean;
}

interface NodeScan extends Position {
  /** the first slot it served, -1 when none */
  slot: number;
  /** the last page was handed over */
  done: boolean;
  /** where the next request goes: ahead of `node`/`cursor` by the pages waiting in `arrived` */
  ahead: Position;
  arrived: Page[];
  inFlight: boolean;
  /** the last page has arrived (and its node was confirmed as owner) */
  ended: boolean;
  /** the last request failed: reported by the next `next()`, which then asks again */
  failure?: unknown;
}

/** Where a scan is: its node ("host:port" in a cluster), the cursor for its next request, whether it ended. */
export interface ScanPosition {
  node: string | undefined;
  cursor: string;
  done: boolean;
}

/** One page of one master: its keys, and where that master's scan goes on. */
interface Page extends Position {
  keys: Buffer[];
  /** the last page of a node that no longer owns the slots: the scan starts over on `node`, their owner */
  restart?: boolean;
}

/** Pages a master may have waiting (arrived, not yet handed over) before it stops asking. */
const AHEAD = 2;

export class ClusterKeyScan {
  private scans: NodeScan[] | undefined;
  /** `next()` calls waiting for a page or a failure */
  private waiting: Array<() => void> = [];
  /** node ids by "host:port" */
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly conn: RedisConnection,
    private readonly args: (string | number)[],
    private readonly parse: (reply: unknown) => [string, Buffer[]],
    private readonly replicas?: ReplicaChoice,
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
    for (const s of live) this.pump(s);
    if (!live.some((s) => s.arrived.length > 0 || s.failure !== undefined)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    let keys: Buffer[] | undefined;
    let failure: unknown;
    for (const s of live) {
      if (s.failure !== undefined) {
        failure ??= s.failure;
        s.failure = undefined;
      }
      for (const page of s.arrived.splice(0)) {
        // the scan moves on only now that its page is handed over
        keys = keys ? keys.concat(page.keys) : page.keys;
        s.node = page.node;
        s.cursor = page.cursor;
        s.owner = page.owner;
        if (page.cursor === '0' && !page.restart) s.done = true;
      }
      this.pump(s);
    }
    if (failure !== undefined && !keys) throw failure;
    return keys ?? [];
  }

  private start(): NodeScan[] {
    const slots = this.conn.firstSlots();
    return this.conn.scanTargets().map((n) => {
      const node = RedisConnection.nodeKey(n);
      return { node, cursor: '0', slot: slots.get(node) ?? -1, done: false, ahead: { node, cursor: '0' }, arrived: [], inFlight: false, ended: false };
    });
  }

  /** Asks a master for its next page, unless one is on its way, pages are waiting, or a failure is to be reported. */
  private pump(s: NodeScan): void {
    if (s.inFlight || s.ended || s.failure !== undefined || s.arrived.length >= AHEAD) return;
    s.inFlight = true;
    void this.fetch(s).then((page) => {
      s.inFlight = false;
      if ('error' in page) s.failure = page.error;
      else {
        s.arrived.push(page);
        s.ahead = page;
        if (page.cursor === '0' && !page.restart) s.ended = true;
        else this.pump(s);
      }
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  /** The next page of a master; never rejects. A last page comes back only once the cluster confirmed its node. */
  private async fetch(s: NodeScan): Promise<Page | { error: unknown }> {
    try {
      const [node, from, replica] = this.replicas ? await this.viaReplica(s, this.replicas) : [...this.find(s), false] as const;
      let reply: unknown;
      try {
        reply = await this.conn.readOn(node, (c) => c.callBuffer('SCAN', from, ...this.args) as Promise<unknown>);
      } catch (err) {
        if (!replica || !this.replicas) throw err;
        // its cursor means nothing elsewhere: this master's scan starts over on another replica or the master
        this.replicas.avoid(node);
        return await this.fetch(s);
      }
      const [cursor, keys] = this.parse(reply);
      const key = RedisConnection.nodeKey(node);
      const owner = cursor === '0' ? await this.ownerOtherThan(node, s.slot, replica) : undefined;
      // another node owns its slots now: what it gave may be stale; the scan starts over on the owner
      if (owner && owner !== key) return { keys, node: owner, cursor: '0', owner: true, restart: true };
      return { keys, node: key, cursor, owner: s.ahead.owner && s.ahead.node === key, replica };
    } catch (error) {
      return { error };
    }
  }

  /**
   * Reading from replicas: the same replica while it serves the master's slots; else (at the start, or
   * starting over) a replica of their master now, or that master. A scan on a master goes on by `find`.
   */
  private async viaReplica(s: NodeScan, replicas: ReplicaChoice): Promise<[Redis, string, boolean]> {
    const at = s.ahead;
    if (at.owner || (!at.replica && at.cursor !== '0')) return [...this.find(s), false];
    const same = at.replica && at.cursor !== '0' ? replicas.serving(at.node, s.slot) : undefined;
    if (same) return [same, at.cursor, true];
    const replica = await replicas.pick(s.slot);
    if (replica) return [replica, '0', true];
    return [...this.find({ ...s, ahead: { node: at.node, cursor: '0' } }), false];
  }

  /** The node to scan next and the cursor to send it: the same master, or its successor from the start. */
  private find(s: NodeScan): [Redis, string] {
    const at = s.ahead;
    const same = (at.owner ? this.conn.clusterNodes() : this.conn.scanTargets()).find((n) => RedisConnection.nodeKey(n) === at.node);
    if (same) return [same, at.cursor];
    const successor = s.slot >= 0 ? this.conn.masterOfSlot(s.slot) : undefined;
    if (successor) return [successor, '0'];
    throw new RedisExplorerError(
      'CLOSED',
      `The cluster's master ${at.node} is gone and no master serves its keys yet (a failover may be under way); nothing was changed. Try again shortly, or refresh.`,
    );
  }

  /**
   * "host:port" of the node that owns `slot` as another master sees it (the scanned node may be a master
   * that was stopped and does not know yet that it was replaced), when that is not `node` (`replica`: when
   * `node` is not one of its replicas either); undefined when it is, or when it cannot be told (no slot, no
   * other master, CLUSTER refused to this user).
   */
  private async ownerOtherThan(node: Redis, slot: number, replica = false): Promise<string | undefined> {
    if (slot < 0) return undefined;
    const key = RedisConnection.nodeKey(node);
    const witness = this.conn.scanTargets().find((n) => RedisConnection.nodeKey(n) !== key);
    if (!witness) return undefined;
    let servers: string[];
    let mine: string | undefined;
    try {
      [servers, mine] = await Promise.all([this.conn.runOn(witness, async (c) => serverIdsOf(await c.call('CLUSTER', 'SLOTS'), slot), true), this.idOf(node)]);
    } catch (err) {
      if (err instanceof RedisExplorerError && err.code === 'NOPERM') return undefined;
      throw err;
    }
    const ownerId = servers[0];
    if (!ownerId || ownerId === mine || (replica && mine !== undefined && servers.includes(mine))) return undefined;
    for (const n of this.conn.clusterNodes()) if ((await this.idOf(n).catch(() => undefined)) === ownerId) return RedisConnection.nodeKey(n);
    // not among the nodes the client knows yet
    this.conn.refreshTopology();
    throw new RedisExplorerError('CLOSED', `The cluster moved the keys of ${key} to a node not known yet (a failover is under way); nothing was changed. Try again shortly, or refresh.`);
  }

  private async idOf(node: Redis): Promise<string> {
    const key = RedisConnection.nodeKey(node);
    let id = this.ids.get(key);
    if (!id) this.ids.set(key, (id = String(await this.conn.runOn(node, (c) => c.call('CLUSTER', 'MYID'), true))));
    return id;
  }
}

/** The ids of the master of `slot` and of its replicas, in a CLUSTER SLOTS reply ([from, to, [host, port, id], ...replicas]). */
function serverIdsOf(reply: unknown, slot: number): string[] {
  if (!Array.isArray(reply)) return [];
  for (const range of reply as unknown[][]) {
    if (!(Number(range[0]) <= slot && slot <= Number(range[1])) || !Array.isArray(range[2])) continue;
    const ids = range.slice(2).map((n) => (Array.isArray(n) && n[2] !== undefined ? String(n[2]) : ''));
    // without the master's id nothing can be told
    return ids[0] ? ids : [];
  }
  return [];
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
 * Reading from replicas (`replicas` given), it runs on a replica of that master; a replica that fails a
 * page means the scan starts over on the master (a MOVED from the replica: on the master it names).
 */
export class ClusterHashScan {
  private node: Redis | undefined;
  /** "ASK": the hash is being migrated and is already at the target, which serves it only after ASKING */
  private asking = false;
  /** `node` is a replica */
  private onReplica = false;
  /** a replica was looked for (once per scan) */
  private picked = false;

  constructor(
    private readonly conn: RedisConnection,
    private readonly key: string | Buffer,
    private readonly replicas?: ReplicaChoice,
  ) {}

  async fetch(cursor: string, args: (string | number | Buffer)[]): Promise<[Buffer, Buffer[]]> {
    const hscan = (c: Commands, from: string) => c.hscanBuffer(...([this.key, from, ...args] as [string, string]));
    if (!this.picked && this.replicas) {
      this.picked = true;
      this.node = await this.replicas.pick(keySlot(this.key));
      this.onReplica = this.node !== undefined;
    }
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
        if (!m && this.onReplica) {
          // the replica failed (gone, stopped, loading): its cursor means nothing on the master; start over there
          this.replicas?.avoid(node);
          [this.node, this.onReplica, cursor] = [undefined, false, '0'];
          continue;
        }
        this.onReplica = false;
        if (!m || redirects >= 3) throw err;
        this.node = this.conn.scanTargets().find((n) => RedisConnection.nodeKey(n) === m[2]);
        this.asking = m[1] === 'ASK';
        if (!this.node) this.conn.refreshTopology();
        cursor = '0';
      }
    }
  }
}
