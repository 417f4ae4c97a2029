import Redis from 'ioredis';
import { keySlot } from '../src/core/clusterScan';
import { RedisConnection } from '../src/core/connection';
import { startCluster } from '../test/support/cluster';
import { wholeHashFigure } from './fields';
import { KEY_COUNT, oursFirstPage as treeFirstPage, oursScanOnly, oursWhole, wholeKeyspace } from './keys';
import { profiled } from './profile';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';
import { SHAPES, bigHashRow } from './seed';

/*
 * The cluster figures (--only=cluster), on a local cluster of three masters of its own (no replicas, so
 * seeding is not replicated on this 2-core machine) holding 1,000,000 keys and the 1,000,000-field hash.
 *   keys: the tree's path, the same as bench/keys.ts times on one server (KeyScan, COUNT 1000: over a cluster
 *         a ClusterKeyScan of every master, each asking for its next page as its page arrives; each page into
 *         the KeyTreeModel, the root shown) vs a bare ioredis loop that scans all masters in parallel, COUNT 1000 each.
 *   fields: the editor's path (HashSession, HSCAN pinned to the hash's master) vs a bare HSCAN loop on that node.
 */

export const CLUSTER_FIGURES = [
  { name: 'cluster keys: first page (tree path vs bare parallel SCAN of 3 masters)', unit: 'ms', target: '<= 1.5' },
  { name: 'cluster keys: whole keyspace (tree path vs bare parallel SCAN of 3 masters)', unit: 'ms', target: '<= 1.15' },
  { name: 'cluster keys: whole keyspace, CPU time of this process (tree path vs bare parallel SCAN of 3 masters)', unit: 'ms cpu', target: '<= 1.3' },
  { name: 'cluster keys: whole keyspace, the scan alone (the tree path without grouping into folders vs bare parallel SCAN)', unit: 'ms', target: '<= 1.15' },
  { name: `fields: whole ${SHAPES.bigHashFields.toLocaleString('en-US')}-field hash on a cluster (editor path vs bare HSCAN loop)`, unit: 'ms', target: '<= 1.15' },
];

const NAMESPACES = ['user', 'order:eu', 'order:us', 'product', 'session', 'cache:page', 'event'];

/** Key i of the cluster keyspace: half hashes, half strings, in a few namespaces. */
function keyOf(i: number): string {
  return `${NAMESPACES[i % NAMESPACES.length]}:${i}`;
}

/** Seeds each master directly with the keys its slots hold (pipelines of 10,000). */
export async function seedCluster(masters: Map<number, Redis>, slotOwner: (slot: number) => number): Promise<void> {
  const batch = new Map<number, ReturnType<Redis['pipeline']>>();
  const pending: Promise<unknown>[] = [];
  const counts = new Map<number, number>();
  for (let i = 0; i < SHAPES.keyspaceKeys; i++) {
    const key = keyOf(i);
    const port = slotOwner(keySlot(key));
    let p = batch.get(port);
    if (!p) batch.set(port, (p = (masters.get(port) as Redis).pipeline()));
    if (i % 2 === 0) p.hset(key, 'name', `item ${i}`, 'n', String(i));
    else p.set(key, `value ${i}`);
    const n = (counts.get(port) ?? 0) + 1;
    counts.set(port, n);
    if (n % 10_000 === 0) {
      pending.push(p.exec());
      batch.delete(port);
    }
    if (pending.length >= 6) await Promise.all(pending.splice(0));
  }
  for (const p of batch.values()) pending.push(p.exec());
  await Promise.all(pending);
  const owner = masters.get(slotOwner(keySlot(SHAPES.bigHash))) as Redis;
  for (let i = 0; i < SHAPES.bigHashFields; i += 10_000) {
    const args: string[] = [];
    for (let j = i; j < Math.min(SHAPES.bigHashFields, i + 10_000); j++) args.push(...bigHashRow(j));
    await owner.hset(SHAPES.bigHash, ...args);
  }
}

async function oursFirstPage(conn: RedisConnection): Promise<number> {
  const ms = await treeFirstPage(conn);
  // The other masters' pages asked meanwhile must not land in the next timed run.
  await conn.forEachNode((n) => n.ping());
  return ms;
}

async function bareFirstPage(nodes: Redis[]): Promise<number> {
  const t0 = now();
  await Promise.all(nodes.map((n) => n.scanBuffer('0', 'COUNT', KEY_COUNT)));
  return now() - t0;
}

export async function bareWhole(nodes: Redis[]): Promise<{ ms: number; keys: number }> {
  const t0 = now();
  let total = 0;
  await Promise.all(
    nodes.map(async (n) => {
      let cursor = '0';
      do {
        const [next, keys] = await n.scanBuffer(cursor, 'COUNT', KEY_COUNT);
        cursor = next.toString();
        total += keys.length;
      } while (cursor !== '0');
    }),
  );
  return { ms: now() - t0, keys: total };
}

export async function clusterFigures(runs: { first: number; whole: number }): Promise<Figure[]> {
  progress('starting a cluster of 3 masters');
  const cluster = await startCluster('redis7', { replicas: 0 });
  const bare = new Map<number, Redis>();
  let conn: RedisConnection | undefined;
  try {
    for (const n of cluster.nodes) bare.set(n.port, new Redis({ host: cluster.host, port: n.port, lazyConnect: false }));
    const slots = (await (bare.values().next().value as Redis).cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
    const slotOwner = (slot: number) => {
      for (const [from, to, [, port]] of slots) if (slot >= from && slot <= to) return port;
      throw new Error(`no owner of slot ${slot}`);
    };
    progress(`seeding ${SHAPES.keyspaceKeys.toLocaleString('en-US')} keys and the ${SHAPES.bigHashFields.toLocaleString('en-US')}-field hash over 3 masters`);
    const t0 = Date.now();
    await seedCluster(bare, slotOwner);
    progress(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    conn = await RedisConnection.open({ name: 'bench', kind: 'cluster', host: cluster.host, port: cluster.seeds[0].port, nodes: cluster.seeds }, { commandTimeoutMs: 120_000 });
    const nodes = [...bare.values()];
    const c = conn;
    for (let i = 0; i < 3; i++) {
      await oursFirstPage(c);
      await bareFirstPage(nodes);
    }
    progress(`cluster keys: first page, ${runs.first} runs each`);
    const first = await alternate(runs.first, () => oursFirstPage(c), () => bareFirstPage(nodes), false);
    progress(`cluster keys: whole keyspace, ${runs.whole} runs each`);
    const whole = await wholeKeyspace(runs.whole, () => profiled('cluster-keys', () => oursWhole(c)), () => bareWhole(nodes));
    // Where the whole figure's extra goes: the same scan with nothing kept.
    progress(`cluster keys: whole keyspace, the scan alone, ${runs.whole} runs each`);
    const scanOnly = await alternate(
      runs.whole,
      async () => (await oursScanOnly(c)).ms,
      async () => (await bareWhole(nodes)).ms,
    );
    const hashNode = bare.get(slotOwner(keySlot(SHAPES.bigHash))) as Redis;
    const fields = await wholeHashFigure(c, hashNode, runs.whole, 'a cluster');
    return [
      figure(CLUSTER_FIGURES[0].name, median(first.ours), median(first.baseline), 'ms', CLUSTER_FIGURES[0].target),
      figure(CLUSTER_FIGURES[1].name.replace('whole keyspace', `whole keyspace, ${whole.keys.toLocaleString('en-US')} keys`), median(whole.ours), median(whole.baseline), 'ms', CLUSTER_FIGURES[1].target),
      figure(CLUSTER_FIGURES[2].name, median(whole.oursCpu), median(whole.baselineCpu), 'ms cpu', CLUSTER_FIGURES[2].target),
      figure(CLUSTER_FIGURES[3].name, median(scanOnly.ours), median(scanOnly.baseline), 'ms', CLUSTER_FIGURES[3].target),
      fields,
    ];
  } finally {
    await conn?.close();
    for (const r of bare.values()) r.disconnect();
    await cluster.stop();
  }
}
