import Redis from 'ioredis';
import { keySlot } from '../src/core/clusterScan';
import { RedisConnection } from '../src/core/connection';
import { clusterNodeArgs, sleep, startCluster, startProcess } from '../test/support/cluster';
import type { ServerProcess, TestCluster } from '../test/support/cluster';
import { bareWhole, seedCluster } from './cluster';
import { wholeHashFigure } from './fields';
import { oursScanOnly, oursWhole, wholeKeyspace } from './keys';
import type { Figure } from './report';
import { alternate, figure, median, progress } from './report';
import { SHAPES } from './seed';

/*
 * Browsing from replicas (--only=replicas): a local cluster of 3 masters seeded as the cluster figures' (1,000,000
 * keys, the 1,000,000-field hash), then given one replica each (CLUSTER MEET + REPLICATE after seeding: each
 * replica takes one full copy, so the seeding is not replicated command by command on these 2 cores).
 *   keys: the tree's path on a connection with `readFromReplicas` (KeyScan over a ClusterKeyScan whose scans
 *         run on the replicas, each page into KeyTreeModel) vs a bare ioredis loop that scans the 3 replicas in
 *         parallel, COUNT 1000 each. The run fails if a master got a SCAN or an HSCAN.
 *         The same scan alone, nothing kept (where the whole figure's extra goes).
 *   fields: the editor's whole load of the big hash from its master's replica vs a bare HSCAN loop on that replica.
 */

export const REPLICA_FIGURES = [
  { name: 'cluster keys from replicas: whole keyspace (tree path vs bare parallel SCAN of 3 replicas)', unit: 'ms', target: '<= 1.15' },
  { name: 'cluster keys from replicas: whole keyspace, the scan alone (the tree path without grouping into folders vs bare parallel SCAN)', unit: 'ms', target: '<= 1.15' },
  { name: `fields: whole ${SHAPES.bigHashFields.toLocaleString('en-US')}-field hash on a cluster replica (editor path vs bare HSCAN loop)`, unit: 'ms', target: '<= 1.15' },
];

/** Starts one replica for each master and waits until each has its master's copy and the masters list it. */
async function addReplicas(cluster: TestCluster): Promise<Map<number, ServerProcess>> {
  const masters = await cluster.masters();
  const byMaster = new Map<number, ServerProcess>();
  const procs = await Promise.all(masters.map(() => startProcess(clusterNodeArgs)));
  for (const [i, master] of masters.entries()) {
    const node = new Redis({ host: cluster.host, port: procs[i].port });
    try {
      await node.cluster('MEET', cluster.host, String(master));
      const id = String(await cluster.admin(master).cluster('MYID'));
      // the new node knows the master's id once the handshake's gossip reached it
      for (let n = 0; ; n++) {
        try {
          await node.cluster('REPLICATE', id);
          break;
        } catch (err) {
          if (n > 300) throw err;
          await sleep(100);
        }
      }
      for (let n = 0; !/master_link_status:up/.test(await node.info('replication')); n++) {
        if (n > 1200) throw new Error(`replica ${procs[i].port} did not sync with ${master}`);
        await sleep(100);
      }
    } finally {
      node.disconnect();
    }
    byMaster.set(master, procs[i]);
  }
  await cluster.waitHealthy();
  await cluster.replicasListed();
  return byMaster;
}

export async function replicaFigures(runs: { whole: number }): Promise<Figure[]> {
  progress('starting a cluster of 3 masters');
  const cluster = await startCluster('redis7', { replicas: 0 });
  let replicas = new Map<number, ServerProcess>();
  const bare: Redis[] = [];
  let conn: RedisConnection | undefined;
  try {
    const masters = new Map(cluster.nodes.map((n) => [n.port, cluster.admin(n.port)]));
    const ranges = (await cluster.admin(cluster.nodes[0].port).cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
    const slotOwner = (slot: number) => (ranges.find(([from, to]) => slot >= from && slot <= to) as [number, number, [string, number]])[2][1];
    progress(`seeding ${SHAPES.keyspaceKeys.toLocaleString('en-US')} keys and the ${SHAPES.bigHashFields.toLocaleString('en-US')}-field hash over 3 masters`);
    let t0 = Date.now();
    await seedCluster(masters, slotOwner);
    progress(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s; adding a replica to each master`);
    t0 = Date.now();
    replicas = await addReplicas(cluster);
    progress(`replicas in sync in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const r of replicas.values()) bare.push(new Redis({ host: cluster.host, port: r.port, readOnly: true }));
    conn = await RedisConnection.open({ name: 'bench', kind: 'cluster', host: cluster.host, port: cluster.seeds[0].port, nodes: cluster.seeds, readFromReplicas: true }, { commandTimeoutMs: 120_000 });
    const c = conn;
    for (const m of masters.values()) await m.config('RESETSTAT');
    progress(`cluster keys from replicas: whole keyspace, ${runs.whole} runs each`);
    const whole = await wholeKeyspace(runs.whole, () => oursWhole(c), () => bareWhole(bare));
    progress(`cluster keys from replicas: whole keyspace, the scan alone, ${runs.whole} runs each`);
    const scanOnly = await alternate(
      runs.whole,
      async () => (await oursScanOnly(c)).ms,
      async () => (await bareWhole(bare)).ms,
    );
    const hashReplica = bare[[...replicas.keys()].indexOf(slotOwner(keySlot(SHAPES.bigHash)))];
    const fields = await wholeHashFigure(c, hashReplica, runs.whole, 'a cluster replica');
    for (const [port, m] of masters) if (/^cmdstat_h?scan:/m.test(await m.info('commandstats'))) throw new Error(`the master on ${port} got a SCAN or HSCAN`);
    return [
      figure(REPLICA_FIGURES[0].name.replace('whole keyspace', `whole keyspace, ${whole.keys.toLocaleString('en-US')} keys`), median(whole.ours), median(whole.baseline), 'ms', REPLICA_FIGURES[0].target),
      figure(REPLICA_FIGURES[1].name, median(scanOnly.ours), median(scanOnly.baseline), 'ms', REPLICA_FIGURES[1].target),
      fields,
    ];
  } finally {
    await conn?.close();
    for (const r of bare) r.disconnect();
    await cluster.stop();
    await Promise.all([...replicas.values()].map((r) => r.stop()));
  }
}
