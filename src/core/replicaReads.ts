import type Redis from 'ioredis';
import { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import { parseInfo } from './infoText';

/*
 * Browsing from replicas (a cluster profile's `readFromReplicas`): the key tree's SCAN of each master and a
 * hash's HSCAN pages may go to one of that master's replicas, so heavy browsing loads the replicas, not the
 * masters. Everything else (key facts, the values an edit compares against, writes, live re-reads) stays on
 * the masters. The client's connections to replicas send READONLY before anything else (ioredis does so for
 * every node it holds as a replica): without it a replica answers a key's HSCAN with MOVED.
 *
 * A replica is chosen only while its link to its master is up (INFO replication): one that lost it may be far
 * behind, or busy loading a full copy. A replica that fails a read is not chosen again by the same scan.
 */

/** How long a replica may take to say whether its link is up before another is tried (a stopped one never answers). */
const ASK_MS = 2000;

export class ReplicaChoice {
  /** "host:port" of replicas that failed: not chosen again */
  private readonly avoided = new Set<string>();

  private constructor(private readonly conn: RedisConnection) {}

  /** A chooser when `conn` reads from replicas and the caller browses (`browsing`), else undefined: masters only. */
  static of(conn: RedisConnection, browsing: boolean | undefined): ReplicaChoice | undefined {
    return browsing && conn.isCluster && conn.profile.readFromReplicas === true ? new ReplicaChoice(conn) : undefined;
  }

  /** A replica of the master serving `slot` whose link to it is up, or undefined (read on the master then). */
  async pick(slot: number): Promise<Redis | undefined> {
    if (slot < 0) return undefined;
    const ready = (n: Redis) => (n.status === 'ready' ? 0 : 1);
    const candidates = this.conn.replicasOfSlot(slot).filter((n) => !this.avoided.has(RedisConnection.nodeKey(n)) && n.status !== 'end' && n.status !== 'close');
    for (const node of candidates.sort((a, b) => ready(a) - ready(b))) {
      if (await this.linkUp(node)) return node;
      this.avoid(node);
    }
    return undefined;
  }

  /** A read on `node` failed: it is not chosen again. */
  avoid(node: Redis): void {
    this.avoided.add(RedisConnection.nodeKey(node));
  }

  /**
   * `key`'s node if it still serves `slot`: one of its master's replicas, or its master (a promoted replica
   * keeps its data, so its cursor still holds); undefined when it is gone or serves other slots now.
   */
  serving(key: string, slot: number): Redis | undefined {
    if (this.avoided.has(key)) return undefined;
    return [...this.conn.replicasOfSlot(slot), this.conn.masterOfSlot(slot)].find((n) => n !== undefined && RedisConnection.nodeKey(n) === key);
  }

  private async linkUp(node: Redis): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), ASK_MS)));
    try {
      const info = parseInfo(await Promise.race([this.conn.readOn(node, (n) => n.info('replication')), late]));
      return info.get('master_link_status') === 'up';
    } catch (err) {
      // a user refused INFO: the replica cannot say; it is used (its reads tell soon enough whether it works)
      return err instanceof RedisExplorerError && err.code === 'NOPERM';
    } finally {
      clearTimeout(timer);
    }
  }
}
